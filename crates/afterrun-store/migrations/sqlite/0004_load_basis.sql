-- What each activity says about the athlete's thresholds (JSON: max_hr, best_30min_speed_mps),
-- and the thresholds its stored stress and muscle load were computed with (a fingerprint):
-- rows whose fingerprint differs from the athlete's current thresholds are recomputed from
-- their original file before the load series is read (issue 13: load follows the profile).
ALTER TABLE activities ADD COLUMN facts TEXT;
ALTER TABLE activities ADD COLUMN load_basis TEXT;
