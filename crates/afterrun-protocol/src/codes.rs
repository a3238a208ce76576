//! The fixed code lists of the contract (interfaces.md), each as an enum with its wire code.
//!
//! One macro writes the code table of every list, so parsing, printing and the "allowed: ..."
//! part of a validation message can never disagree.

macro_rules! codes {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $code:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),*
        }

        impl $name {
            /// Every value, in the contract's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The wire code.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code),*
                }
            }

            /// Parses a wire code.
            pub fn from_code(code: &str) -> Option<$name> {
                match code {
                    $($code => Some($name::$variant),)*
                    _ => None,
                }
            }

            /// The allowed codes, comma-separated, for error messages.
            pub fn allowed() -> String {
                $name::CODES.join(", ")
            }

            /// Every wire code, in the contract's order.
            pub const CODES: &'static [&'static str] = &[$($code),*];
        }

        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({"type": "string", "enum": $name::CODES})
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let code = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::from_code(&code).ok_or_else(|| {
                    serde::de::Error::invalid_value(
                        serde::de::Unexpected::Str(&code),
                        &$name::allowed().as_str(),
                    )
                })
            }
        }
    };
}

codes! {
    /// The athlete's sex as given.
    Sex {
        /// Female.
        Female => "female",
        /// Male.
        Male => "male",
        /// Not given.
        Unspecified => "unspecified",
    }
}

codes! {
    /// The athlete's training goal.
    Goal {
        /// General fitness.
        General => "general",
        /// 5 km races.
        FiveK => "5k",
        /// 10 km races.
        TenK => "10k",
        /// Half marathon.
        HalfMarathon => "half_marathon",
        /// Marathon.
        Marathon => "marathon",
        /// Ultra distance.
        Ultra => "ultra",
        /// Trail running.
        Trail => "trail",
    }
}

codes! {
    /// How much the athlete is ready to spend on equipment.
    Budget {
        /// Little.
        Low => "low",
        /// Some.
        Medium => "medium",
        /// Plenty.
        High => "high",
    }
}

codes! {
    /// Recovery equipment the athlete owns.
    Equipment {
        /// A foam roller.
        FoamRoller => "foam_roller",
        /// A percussive massage gun.
        MassageGun => "massage_gun",
        /// Pneumatic compression boots.
        CompressionBoots => "compression_boots",
        /// A vibrating plate.
        VibrationPlate => "vibration_plate",
        /// A stationary or road bike.
        Bike => "bike",
        /// Access to a pool.
        Pool => "pool",
        /// Compression socks.
        CompressionSocks => "compression_socks",
    }
}

codes! {
    /// A medical condition that restricts modalities (protocol.md §3).
    Condition {
        /// Pregnancy.
        Pregnancy => "pregnancy",
        /// Earlier deep vein thrombosis.
        DvtHistory => "dvt_history",
        /// Takes anticoagulants.
        Anticoagulants => "anticoagulants",
        /// Heart failure.
        HeartFailure => "heart_failure",
        /// Peripheral arterial disease.
        PeripheralArterialDisease => "peripheral_arterial_disease",
        /// Diabetic neuropathy.
        DiabeticNeuropathy => "diabetic_neuropathy",
        /// Peripheral neuropathy.
        PeripheralNeuropathy => "peripheral_neuropathy",
        /// Varicose veins.
        VaricoseVeins => "varicose_veins",
        /// Recent surgery.
        RecentSurgery => "recent_surgery",
        /// A joint replacement.
        JointReplacement => "joint_replacement",
        /// A pacemaker.
        Pacemaker => "pacemaker",
        /// Epilepsy.
        Epilepsy => "epilepsy",
        /// An open wound on a leg.
        OpenWoundLeg => "open_wound_leg",
        /// A skin infection on a leg.
        SkinInfectionLeg => "skin_infection_leg",
        /// Lymphedema.
        Lymphedema => "lymphedema",
        /// A hernia.
        Hernia => "hernia",
        /// Active cancer.
        CancerActive => "cancer_active",
        /// A recent fracture.
        FractureRecent => "fracture_recent",
        /// Kidney stones.
        KidneyStones => "kidney_stones",
        /// Osteoporosis.
        Osteoporosis => "osteoporosis",
        /// Uncontrolled high blood pressure.
        HypertensionUncontrolled => "hypertension_uncontrolled",
    }
}

codes! {
    /// A reported symptom (interfaces.md, symptom `code`).
    SymptomCode {
        /// Sharp pain.
        SharpPain => "sharp_pain",
        /// A dull ache.
        DullAche => "dull_ache",
        /// Swelling.
        Swelling => "swelling",
        /// Warmth.
        Warmth => "warmth",
        /// Redness.
        Redness => "redness",
        /// Bruising.
        Bruising => "bruising",
        /// Numbness.
        Numbness => "numbness",
        /// Tingling.
        Tingling => "tingling",
        /// Weakness.
        Weakness => "weakness",
        /// Pain at night.
        NightPain => "night_pain",
        /// Pain at rest.
        PainAtRest => "pain_at_rest",
        /// Tenderness on one spot of a bone.
        FocalBoneTenderness => "focal_bone_tenderness",
        /// Cannot take weight on the leg.
        UnableToBearWeight => "unable_to_bear_weight",
        /// A pop or snap was felt.
        PopOrSnap => "pop_or_snap",
        /// A visible deformity.
        Deformity => "deformity",
        /// A joint locks or gives way.
        LockingOrGivingWay => "locking_or_giving_way",
        /// Dark (cola-coloured) urine.
        DarkUrine => "dark_urine",
        /// Severe muscle pain.
        SevereMusclePain => "severe_muscle_pain",
        /// Chest pain.
        ChestPain => "chest_pain",
        /// Breathless at rest.
        ShortnessOfBreath => "shortness_of_breath",
        /// Coughing blood.
        CoughingBlood => "coughing_blood",
        /// Fever.
        Fever => "fever",
        /// A pale or cold foot.
        PaleOrColdFoot => "pale_or_cold_foot",
        /// A tense, hard muscle compartment.
        TenseCompartment => "tense_compartment",
        /// Pain out of proportion to the injury.
        PainOutOfProportion => "pain_out_of_proportion",
        /// Pain when the muscle is stretched.
        PainWithStretch => "pain_with_stretch",
        /// Cramps that keep coming back.
        CrampRecurrent => "cramp_recurrent",
        /// Dizziness.
        Dizziness => "dizziness",
    }
}

codes! {
    /// How a symptom is changing.
    Trend {
        /// Getting better.
        Improving => "improving",
        /// Unchanged.
        Stable => "stable",
        /// Getting worse.
        Worsening => "worsening",
    }
}

codes! {
    /// What a symptom followed.
    After {
        /// Nothing in particular.
        None => "none",
        /// A fall.
        Fall => "fall",
        /// A twist.
        Twist => "twist",
        /// A collision.
        Collision => "collision",
        /// Came on suddenly during the run.
        SuddenOnsetDuringRun => "sudden_onset_during_run",
    }
}

codes! {
    /// A step modality (interfaces.md, step `modality`).
    Modality {
        /// An easy walk.
        Walk => "walk",
        /// Easy cycling.
        EasyCycle => "easy_cycle",
        /// Leg swings and torso twists.
        DynamicStretching => "dynamic_stretching",
        /// Held stretches.
        StaticStretching => "static_stretching",
        /// Foam rolling.
        FoamRolling => "foam_rolling",
        /// Percussive massage.
        MassageGun => "massage_gun",
        /// Pneumatic compression boots.
        CompressionBoots => "compression_boots",
        /// Vibrating plate.
        VibrationPlate => "vibration_plate",
        /// Water and electrolytes.
        Hydration => "hydration",
        /// Rest.
        Rest => "rest",
        /// Book a sports physiotherapist.
        ConsultPhysio => "consult_physio",
        /// Same-day medical assessment.
        SeekUrgentCare => "seek_urgent_care",
        /// Call emergency services.
        CallEmergency => "call_emergency",
    }
}

impl Modality {
    /// The hands-on and device modalities that triage blocks everywhere at urgent levels.
    pub const HANDS_ON_AND_DEVICES: [Modality; 4] = [
        Modality::FoamRolling,
        Modality::MassageGun,
        Modality::CompressionBoots,
        Modality::VibrationPlate,
    ];

    /// True for the referral steps.
    pub fn is_referral(self) -> bool {
        matches!(self, Modality::ConsultPhysio | Modality::SeekUrgentCare | Modality::CallEmergency)
    }
}

codes! {
    /// Who gave a clearance.
    Clinician {
        /// A physiotherapist.
        Physiotherapist => "physiotherapist",
        /// A doctor.
        Doctor => "doctor",
        /// Someone else.
        Other => "other",
    }
}

codes! {
    /// The triage level, in rising order.
    Level {
        /// Self-care: ordinary post-run soreness.
        SelfCare => "self_care",
        /// Book a sports physiotherapist.
        SeePhysio => "see_physio",
        /// Same-day medical assessment.
        UrgentCare => "urgent_care",
        /// Call emergency services now.
        Emergency => "emergency",
    }
}

impl SymptomCode {
    /// The *pain codes* of protocol.md §2 (soreness ≥ 7 counts too, but is not a symptom).
    pub const PAIN: &'static [SymptomCode] = &[
        SymptomCode::SharpPain,
        SymptomCode::DullAche,
        SymptomCode::SevereMusclePain,
        SymptomCode::PainAtRest,
        SymptomCode::NightPain,
        SymptomCode::PainOutOfProportion,
        SymptomCode::PainWithStretch,
    ];

    /// True for a pain code, or a symptom whose name says pain (`chest_pain`).
    pub fn is_pain(self) -> bool {
        self == SymptomCode::ChestPain || Self::PAIN.contains(&self)
    }

    /// A symptom of the whole body, with no place of its own: without a region it is read on
    /// the whole body, not as a finding that could be on the chest.
    pub fn is_systemic(self) -> bool {
        use SymptomCode as S;
        matches!(
            self,
            S::Fever | S::DarkUrine | S::Dizziness | S::ShortnessOfBreath | S::CoughingBlood
        )
    }

    /// The symptom in plain words, as a noun phrase ("numbness", "a pop or snap").
    pub fn words(self) -> &'static str {
        use SymptomCode as S;
        match self {
            S::SharpPain => "sharp pain",
            S::DullAche => "a dull ache",
            S::Swelling => "swelling",
            S::Warmth => "warmth",
            S::Redness => "redness",
            S::Bruising => "bruising",
            S::Numbness => "numbness",
            S::Tingling => "tingling",
            S::Weakness => "weakness",
            S::NightPain => "pain at night",
            S::PainAtRest => "pain at rest",
            S::FocalBoneTenderness => "tenderness on one spot of a bone",
            S::UnableToBearWeight => "not being able to take weight",
            S::PopOrSnap => "a pop or snap",
            S::Deformity => "a deformity",
            S::LockingOrGivingWay => "a joint locking or giving way",
            S::DarkUrine => "dark urine",
            S::SevereMusclePain => "severe muscle pain",
            S::ChestPain => "chest pain",
            S::ShortnessOfBreath => "breathlessness at rest",
            S::CoughingBlood => "coughing blood",
            S::Fever => "a fever",
            S::PaleOrColdFoot => "a pale or cold foot",
            S::TenseCompartment => "a tense, hard muscle",
            S::PainOutOfProportion => "pain out of proportion",
            S::PainWithStretch => "pain on stretching",
            S::CrampRecurrent => "cramps that keep coming back",
            S::Dizziness => "dizziness",
        }
    }
}

impl Condition {
    /// The condition in plain words ("a history of deep vein thrombosis").
    pub fn words(self) -> &'static str {
        use Condition as C;
        match self {
            C::Pregnancy => "pregnancy",
            C::DvtHistory => "a history of deep vein thrombosis",
            C::Anticoagulants => "blood thinners",
            C::HeartFailure => "heart failure",
            C::PeripheralArterialDisease => "peripheral arterial disease",
            C::DiabeticNeuropathy => "diabetic neuropathy",
            C::PeripheralNeuropathy => "peripheral neuropathy",
            C::VaricoseVeins => "varicose veins",
            C::RecentSurgery => "recent surgery",
            C::JointReplacement => "a joint replacement",
            C::Pacemaker => "a pacemaker",
            C::Epilepsy => "epilepsy",
            C::OpenWoundLeg => "an open wound on the leg",
            C::SkinInfectionLeg => "a skin infection on the leg",
            C::Lymphedema => "lymphoedema",
            C::Hernia => "a hernia",
            C::CancerActive => "active cancer",
            C::FractureRecent => "a recent fracture",
            C::KidneyStones => "kidney stones",
            C::Osteoporosis => "osteoporosis",
            C::HypertensionUncontrolled => "uncontrolled high blood pressure",
        }
    }
}
