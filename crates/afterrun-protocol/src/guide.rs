//! The texts of `afterrun guide`: what a runner should know about recovery, in plain words.
//!
//! They live beside the engine, not in the binary, because they make the same promises as the
//! plans: the seed guide's advice first, then what the evidence adds, each claim tied to a
//! reference id from the engine's reference list. The CLI and the web UI both render this data;
//! neither writes clinical text of its own. The texts describe and refer; they never diagnose.

/// One guide topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Topic {
    /// The name given on the command line (`afterrun guide doms`).
    pub id: &'static str,
    /// The heading.
    pub title: &'static str,
    /// One line for the topic list.
    pub summary: &'static str,
    /// What the seed guide advises, one paragraph or bullet per entry, in plain language.
    pub seed_advice: &'static [&'static str],
    /// What published evidence adds to the seed advice, one paragraph per entry.
    pub evidence: &'static [&'static str],
    /// Reference ids (protocol.md's list), in the order a reader meets them.
    pub references: &'static [&'static str],
    /// Step modality codes whose shared outcome figures belong with this topic.
    ///
    /// This is the marked place for population figures ("X% of sessions followed by
    /// improvement"), shown once enough outcomes exist (personalization, protocol.md §9). They
    /// are an association between doing a step and feeling better later, never proof that the
    /// step caused it.
    pub outcome_modalities: &'static [&'static str],
}

/// The words that introduce the population figures of [`Topic::outcome_modalities`], and say
/// what they can and cannot mean. Shown until, and with, the figures themselves.
pub const OUTCOME_FIGURES_NOTE: &str = "Once afterrun holds enough shared outcomes, this place \
shows, for each method, the share of sessions that were followed by less soreness at the next \
check-in, with a confidence interval. Such a figure is an association (runners who did it \
felt better later), not proof that the method caused the improvement.";

/// Every topic, in reading order.
pub fn topics() -> &'static [Topic] {
    TOPICS
}

/// The topic called `id`, if there is one.
pub fn topic(id: &str) -> Option<&'static Topic> {
    TOPICS.iter().find(|t| t.id == id)
}

static TOPICS: &[Topic] = &[
    Topic {
        id: "doms",
        title: "Muscle soreness after running (DOMS)",
        summary: "what post-run soreness is, how long it lasts, and what eases it",
        seed_advice: &[
            "Soreness that builds up the day after a long or hard run is normal. It is called \
             delayed-onset muscle soreness (DOMS) and is strongest in the muscles that worked \
             hardest: the quads after downhills, the calves after hills and fast running.",
            "Move rather than lie still: walk 10-15 minutes at an easy, conversational effort, \
             then do leg swings and torso twists.",
            "Roll or massage the sore groups: a foam roller 30-60 seconds per major group \
             (quads, hamstrings, calves), a massage gun 60-90 seconds per tight spot, always \
             working toward the heart.",
            "Drink water, with electrolytes after a long or hot run.",
            "Don't push through significant pain.",
        ],
        evidence: &[
            "DOMS usually starts 12-24 hours after the run, peaks between one and three days, \
             and fades within about a week. Downhill running, where the muscles brake while \
             they lengthen, causes the most (domain-doms).",
            "A meta-analysis of recovery techniques found massage the most effective for \
             soreness and perceived fatigue; compression helped too, active recovery a little \
             (dupuy-2018). Foam rolling after exercise eases perceived pain slightly \
             (wiewelhove-2019). These methods make you feel better sooner; they do not repair \
             the muscle much faster.",
            "What is not ordinary DOMS: sharp pain, pain at rest or at night, a dull ache still \
             getting worse more than three days on, soreness of 3/10 or more a week after a \
             hard run. Those are reasons to see a sports physiotherapist (seed-guide, \
             domain-doms).",
        ],
        references: &["seed-guide", "domain-doms", "dupuy-2018", "wiewelhove-2019"],
        outcome_modalities: &["walk", "foam_rolling", "massage_gun", "compression_boots"],
    },
    Topic {
        id: "massage",
        title: "Massaging your legs after a run",
        summary: "foam roller and massage gun: how long, how hard, which way, and when not to",
        seed_advice: &[
            "Walk 10-15 minutes first, so the muscles are warm.",
            "Foam roller: roll each major group (quads, hamstrings, calves) for 30-60 seconds, \
             slowly, pausing for a few breaths on tender spots. Use lighter pressure when the \
             muscle is very sore.",
            "Massage gun: 60-90 seconds per tight spot at moderate pressure, keeping it moving; \
             light pressure when very sore. Stay off bone and joints: knee, ankle, shin bone.",
            "Always work toward the heart: from the ankle up the calf, from the knee up the \
             thigh.",
            "It may feel uncomfortable, never sharp. Don't push through significant pain.",
        ],
        evidence: &[
            "Massage is among the best-supported ways to ease soreness and perceived fatigue \
             after exercise (dupuy-2018). Foam rolling after a session slightly reduces \
             perceived soreness (wiewelhove-2019).",
            "Percussive massage guns give short-term gains in range of motion and comfort; the \
             studies are small and use many different doses (ferreira-2023). afterrun keeps to \
             60-90 seconds per spot and at most 15 minutes in all, and at most 2 minutes of \
             rolling per group per session: more is not better.",
            "Do not massage or roll over a swollen, bruised, warm or red area, or over sharp \
             pain. No massage gun with blood thinners, an open wound or a skin infection on the \
             leg; with varicose veins, neuropathy or osteoporosis, ask a clinician first; in \
             pregnancy, keep the gun off the calves and inner thighs (therabody-label, \
             domain-contra).",
        ],
        references: &[
            "seed-guide",
            "dupuy-2018",
            "wiewelhove-2019",
            "ferreira-2023",
            "therabody-label",
            "domain-contra",
        ],
        outcome_modalities: &["foam_rolling", "massage_gun"],
    },
    Topic {
        id: "cramps",
        title: "Cramps: preventing them, and what to do during one",
        summary: "hydration and electrolytes, and how to release a cramp",
        seed_advice: &[
            "Prevention: drink water during and after your runs, with electrolytes (salt) on \
             long or hot ones. Build distance and pace gradually: cramps come most when the \
             muscles are tired.",
            "During a cramp: stop, then gently stretch the cramping muscle and hold it. Calf: \
             straighten the knee and pull the toes toward you, or lean into a wall with the \
             heel down. Hamstring: straighten the leg and lean forward from the hips. Quads: \
             pull the heel toward your buttock. Hold about 30 seconds and repeat until it lets \
             go.",
            "Afterwards: walk a little, drink, and massage the muscle gently.",
        ],
        evidence: &[
            "Cramps during and after exercise seem to come mostly from tired muscles whose \
             nerve control goes out of balance, more than from dehydration or salt loss alone; \
             gentle stretching is the most reliable way to stop one (miller-2022). Drinking and \
             electrolytes still matter on long, hot efforts.",
            "Cramps that keep coming back, or that come at rest, are worth a visit to a sports \
             physiotherapist. Severe muscle pain with dark, cola-coloured urine after a hard \
             effort needs medical care the same day (domain-rhabdo).",
        ],
        references: &["seed-guide", "miller-2022", "domain-rhabdo"],
        outcome_modalities: &["static_stretching", "hydration"],
    },
    Topic {
        id: "leg-pain",
        title: "Leg pain: when massage helps and when to see a professional",
        summary: "ordinary soreness versus pain that needs a sports physiotherapist or a doctor",
        seed_advice: &[
            "Easy movement, rolling and massage help the dull, spread-out soreness of hard \
             training, usually in both legs.",
            "See a sports physiotherapist when the pain is sharp, gets worse instead of better, \
             is there at rest or wakes you at night, sits on one spot of a bone, or started \
             with a fall, a twist, a pop or a snap. Stop running until you have been seen.",
            "Don't push through significant pain.",
        ],
        evidence: &[
            "Pain at one spot of a bone (shin, foot, hip) that is tender to press and worse when \
             running can be a bone stress injury: it needs rest from running and an \
             assessment, not massage (domain-bsi).",
            "After an ankle injury, not being able to take four steps, or tenderness at certain \
             bony points, calls for an X-ray (ottawa-1992).",
            "Never massage a calf or thigh that is swollen, warm or red, especially on one side: \
             it can be a blood clot (deep vein thrombosis), which needs medical care the same \
             day (nice-ng158, wells-1997). Severe pain out of proportion, a tight, hard muscle \
             compartment or pain when the muscle is stretched needs urgent care too \
             (domain-acs).",
            "afterrun does not diagnose. It sorts what you report by urgency and, when in \
             doubt, sends you to someone who can examine you.",
        ],
        references: &[
            "seed-guide",
            "domain-bsi",
            "ottawa-1992",
            "nice-ng158",
            "wells-1997",
            "domain-acs",
        ],
        outcome_modalities: &["consult_physio"],
    },
    Topic {
        id: "compression",
        title: "Compression boots",
        summary: "who they suit, when to use them, the pressures, and who must not",
        seed_advice: &[
            "Compression boots suit high-volume runners (around 60 km a week or more, \
             marathon, ultra or trail training) and hard sessions.",
            "Use them an hour or two after the run, once you have walked and stretched. Sit \
             comfortably with your legs straight.",
        ],
        evidence: &[
            "After an ultramarathon and a 161 km race, pneumatic compression eased how the legs \
             felt and perceived fatigue in the short term, without clear effects on \
             performance (hoffman-2016, heapy-2018); after shorter hard sessions the effects \
             on recovery were small (overmayer-2018, martin-2015). Treat it as relief, not \
             treatment.",
            "afterrun's default session: level 4-5 (about 60-70 mmHg), 20-30 minutes, a wave \
             from the foot upward in steps of a few mmHg between chambers (kamm-1986, \
             normatec-k220217). The whole leg is held about 5 seconds, then vented about 25 \
             seconds so the veins can refill (kakkos-2005). A first session stays at level 3 \
             or lower; nothing goes above 110 mmHg.",
            "Never with heart failure, peripheral arterial disease, a recent fracture, an open \
             wound or a skin infection on the leg. With a history of blood clots, blood \
             thinners, pregnancy, varicose veins, neuropathy, lymphoedema, uncontrolled high \
             blood pressure, recent surgery, active cancer or a pacemaker: only with a \
             clinician's clearance (hyperice-label, therabody-label, domain-contra).",
            "Never on a leg that is swollen, warm, red or painful on one side: that needs a \
             doctor first.",
        ],
        references: &[
            "seed-guide",
            "hoffman-2016",
            "heapy-2018",
            "overmayer-2018",
            "martin-2015",
            "kamm-1986",
            "normatec-k220217",
            "kakkos-2005",
            "hyperice-label",
            "therabody-label",
            "domain-contra",
        ],
        outcome_modalities: &["compression_boots"],
    },
    Topic {
        id: "vibration",
        title: "Vibration plates",
        summary: "the economical option: a post-run loosen-up and a warm-up, and who must not",
        seed_advice: &[
            "A vibration plate is the economical option: a few minutes on it loosens the legs \
             after a run, and it makes a quick warm-up before the next one.",
            "Stand with your knees soft (slightly bent), never locked.",
        ],
        evidence: &[
            "The plate shakes the muscles and nerves of the legs; its acceleration grows with \
             the square of the frequency, so 30 Hz at 1 mm is already about 3.6 g \
             (rittweger-2010). afterrun's default: 25-30 Hz, 1 mm, bouts of 30-60 seconds, at \
             most 10 minutes in all.",
            "The evidence for recovery is limited: short-term flexibility, general activation \
             and perceived soreness (domain-wbv).",
            "Never in pregnancy, with epilepsy, a pacemaker, a joint replacement, a hernia, \
             kidney stones, or after a recent fracture or operation. Ask a clinician first \
             with osteoporosis, neuropathy, uncontrolled high blood pressure or active cancer. \
             Not while dizzy, and not with a leg problem that needs a physiotherapist \
             (domain-wbv).",
        ],
        references: &["seed-guide", "rittweger-2010", "domain-wbv"],
        outcome_modalities: &["vibration_plate"],
    },
    Topic {
        id: "active-recovery",
        title: "Active recovery: walking, easy cycling, stretching",
        summary: "the first 15 minutes after a run: walk, swing, twist, drink",
        seed_advice: &[
            "Right after the run, or as soon as you can, walk 10-15 minutes at an easy, \
             conversational effort.",
            "Then leg swings (10 forward and back, 10 side to side, each leg) and 10 torso \
             twists.",
            "Drink water, with electrolytes after long or hot runs.",
            "If you own a bike and prefer it, an easy spin does the same job.",
        ],
        evidence: &[
            "Light movement after hard exercise has small benefits for soreness and perceived \
             fatigue (dupuy-2018), and it adds no load.",
            "Keep it truly easy: you should be able to talk in full sentences. Between 5 and 20 \
             minutes is plenty.",
            "If moving hurts (sharp pain, you cannot put weight on the leg, the knee locks or \
             gives way), rest instead and see a sports physiotherapist.",
        ],
        references: &["seed-guide", "dupuy-2018"],
        outcome_modalities: &["walk", "easy_cycle", "dynamic_stretching"],
    },
    Topic {
        id: "red-flags",
        title: "Red flags: when to stop and get help",
        summary: "the signs that mean emergency, same-day care, or a physiotherapist",
        seed_advice: &[
            "Don't push through significant pain. Stop running and get checked when something \
             feels wrong rather than sore.",
            "Call emergency services now: chest pain, coughing blood, or being breathless at \
             rest; anything you feel in the chest after a run (a sharp pain, an ache, tightness, \
             a cramp), or dizziness with breathlessness; a cold or pale foot with pain, numbness \
             or weakness; severe pain out of proportion with a tight, hard calf or shin, or with \
             numbness.",
            "Get medical care today: swelling of a calf or thigh; a warm, red, painful calf or \
             thigh; dark, cola-coloured urine; you cannot put weight on the leg, or it looks \
             deformed; a pop or snap followed by weakness; fever with a red, warm or swollen \
             leg; dizziness that lasts more than 30 minutes after the run.",
            "Also today: dizziness that began while you were running; weakness with numbness in \
             one leg (a foot that slaps or drags), numbness, tingling or weakness in both legs, \
             or in a leg with back pain; severe muscle pain with weakness, or in several muscles \
             after a long or hard run, even before the urine darkens; on blood thinners, \
             swelling, bruising or pain after a fall or a twist (and if you hit your head, call \
             emergency services); tenderness on a bone after a twist, fall or collision (an \
             X-ray); a pop at the calf or Achilles, even if you can still walk; a fever that \
             began during the run or in the hours after it.",
            "When dizzy: lie down with your legs raised and sip fluids; drink to thirst, with \
             electrolytes, never a forced volume. A cramp with sharp pain, or that hurts to \
             stretch, is not stretched: ease it with gentle massage instead.",
            "Book a sports physiotherapist: sharp pain; pain at rest or at night; a dull ache \
             still getting worse after three days; numbness or tingling; pain at one spot of a \
             bone; swelling at a joint or foot; an injury from a fall or a twist; cramps that \
             keep coming back; soreness that lasts more than a week.",
        ],
        evidence: &[
            "Chest pain or breathlessness with a swollen leg can be a blood clot that has \
             travelled to the lungs (nice-ng158, domain-pe); one swollen calf or thigh can be a \
             deep vein thrombosis (wells-1997). A cold, pale foot can mean blocked blood flow \
             (domain-vascular). Pain out of proportion in a tight compartment can be \
             compartment syndrome, which can follow hard running without any injury \
             (domain-acs). Dark urine after extreme effort can be muscle breakdown \
             (rhabdomyolysis), which can harm the kidneys (domain-rhabdo).",
            "Ankle and foot injuries follow the Ottawa rules (ottawa-1992); pain at one spot of \
             bone can be a bone stress injury (domain-bsi).",
            "Chest symptoms and dizziness that begin during exertion are the warning signs that \
             come before most cardiac arrests in runners (domain-cardiac). Weakness with \
             numbness, or nerve signs in both legs, can mean a compressed nerve or spinal cord \
             that needs assessment the same day (domain-neuro). Severe pain in several muscles \
             after an ultra can be rhabdomyolysis before the urine changes (domain-rhabdo). A \
             fever during or soon after a hot or long run can be exertional heat illness \
             (domain-heat). An Achilles rupture is often missed because the runner can still \
             walk (domain-achilles). On blood thinners, a fall can bleed into a muscle or the \
             head (domain-contra).",
            "With any of these, afterrun stops all massage, rolling, compression and vibration: \
             squeezing or pressing a leg with a possible clot or injury is unsafe \
             (domain-contra). It does not diagnose; it tells you how soon to be seen.",
        ],
        references: &[
            "seed-guide",
            "nice-ng158",
            "domain-pe",
            "wells-1997",
            "domain-vascular",
            "domain-acs",
            "domain-rhabdo",
            "ottawa-1992",
            "domain-bsi",
            "domain-contra",
            "domain-cardiac",
            "domain-neuro",
            "domain-heat",
            "domain-achilles",
        ],
        outcome_modalities: &[],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_section_8_topics_are_all_there() {
        for id in [
            "doms",
            "massage",
            "cramps",
            "leg-pain",
            "compression",
            "vibration",
            "active-recovery",
            "red-flags",
        ] {
            assert!(topic(id).is_some(), "missing topic {id}");
        }
    }

    #[test]
    fn red_flags_has_a_sentence_for_every_v2_reason() {
        let t = topic("red-flags").unwrap();
        let text = t.seed_advice.join(" ");
        for words in [
            "in the chest",
            "began while you were running",
            "numbness in one leg",
            "before the urine darkens",
            "blood thinners",
            "bone after a twist",
            "Achilles",
            "fever that began during the run",
        ] {
            assert!(text.contains(words), "{words}");
        }
        for id in ["domain-cardiac", "domain-neuro", "domain-heat", "domain-achilles"] {
            assert!(t.references.contains(&id), "{id}");
        }
    }

    #[test]
    fn ids_are_unique_and_lookup_finds_each() {
        for (i, t) in topics().iter().enumerate() {
            assert_eq!(topic(t.id), Some(t));
            assert!(topics()[..i].iter().all(|u| u.id != t.id), "duplicate topic {}", t.id);
        }
        assert_eq!(topic("no-such-topic"), None);
    }

    #[test]
    fn every_topic_has_advice_evidence_and_known_references() {
        for t in topics() {
            assert!(!t.seed_advice.is_empty() && !t.evidence.is_empty(), "{} is empty", t.id);
            assert_eq!(t.references.first(), Some(&"seed-guide"), "{}: seed first", t.id);
            for r in t.references {
                assert!(crate::references::find(r).is_some(), "{}: unknown reference {r}", t.id);
            }
        }
    }

    #[test]
    fn every_id_cited_in_a_text_is_listed_in_its_references() {
        for t in topics() {
            for text in t.seed_advice.iter().chain(t.evidence) {
                for id in crate::references::REFERENCES.iter().map(|r| r.id) {
                    if text.contains(id) {
                        assert!(t.references.contains(&id), "{}: cites {id} unlisted", t.id);
                    }
                }
            }
        }
    }

    #[test]
    fn every_listed_reference_beyond_the_seed_is_cited_in_the_evidence() {
        for t in topics() {
            for r in t.references.iter().filter(|r| **r != "seed-guide") {
                assert!(t.evidence.iter().any(|e| e.contains(r)), "{}: {r} never cited", t.id);
            }
        }
    }
}
