//! The one table of references: id → full citation.
//!
//! Every rule in the engine names its reference ids; a plan lists, in this table's order, every
//! id its steps, reasons and blocks cite. The `domain-*` ids of protocol.md are cited here by
//! their primary papers and guidelines. A test checks that every id used anywhere is in here.
//! An entry is the load crate's [`Reference`], the one type of a source that both lists hold.

pub use afterrun_load::Reference;

/// Every reference, in the order plans list them.
pub const REFERENCES: &[Reference] = &[
    Reference {
        id: "seed-guide",
        citation: "The Ultimate Recovery Guide for Super Runners (the rehabilitation \
                   physiotherapist's guide afterrun implements).",
    },
    Reference {
        id: "dupuy-2018",
        citation: "Dupuy O, Douzi W, Theurot D, Bosquet L, Dugué B. An evidence-based approach for \
                   choosing post-exercise recovery techniques to reduce markers of muscle damage, \
                   soreness, fatigue, and inflammation: a systematic review with meta-analysis. \
                   Front Physiol 2018;9:403.",
    },
    Reference {
        id: "wiewelhove-2019",
        citation: "Wiewelhove T, Döweling A, Schneider C, et al. A meta-analysis of the effects of \
                   foam rolling on performance and recovery. Front Physiol 2019;10:376.",
    },
    Reference {
        id: "hoffman-2016",
        citation: "Hoffman MD, et al. Pneumatic compression for recovery after an ultramarathon. \
                   Int J Sports Physiol Perform 2016;11(4):489-494.",
    },
    Reference {
        id: "heapy-2018",
        citation: "Heapy AM, Hoffman MD, et al. Pneumatic compression and manual therapy for \
                   recovery after a 161 km run. Int J Sports Physiol Perform 2018.",
    },
    Reference {
        id: "overmayer-2018",
        citation: "Overmayer RG, Driller MW. Pneumatic compression fails to improve performance \
                   recovery in trained cyclists. Int J Sports Physiol Perform 2018;13(4):490-495.",
    },
    Reference {
        id: "martin-2015",
        citation: "Martin JS, Friedenreich ZD, Borges AR, Roberts MD. Acute effects of peristaltic \
                   pneumatic compression on repeated anaerobic exercise performance and blood \
                   lactate clearance. J Strength Cond Res 2015;29(10):2900-2906.",
    },
    Reference {
        id: "kamm-1986",
        citation: "Kamm RD, et al. Sequential external pneumatic compression: chamber pressure \
                   steps of 5-10 mmHg. Cardiovasc Res 1986;20(8):588-596.",
    },
    Reference {
        id: "nicolaides-1980",
        citation: "Nicolaides AN, Fernandes e Fernandes J, Pollock AV. Intermittent sequential \
                   pneumatic compression of the legs in the prevention of venous stasis and \
                   postoperative deep venous thrombosis. Surgery 1980;87(1):69-76.",
    },
    Reference {
        id: "kakkos-2005",
        citation: "Kakkos SK, Griffin M, Geroulakos G, Nicolaides AN. The efficacy of a new \
                   portable sequential compression device (SCD Express) in preventing venous \
                   stasis. J Vasc Surg 2005;42(2):296-303.",
    },
    Reference {
        id: "normatec-k220217",
        citation: "U.S. Food and Drug Administration. 510(k) premarket notification K220217: \
                   Normatec 3 (5 zones; ZoneBoost +10 mmHg). 2022.",
    },
    Reference {
        id: "rittweger-2010",
        citation: "Rittweger J. Vibration as an exercise modality: how it may work, and what its \
                   potential might be. Eur J Appl Physiol 2010;108(5):877-904.",
    },
    Reference {
        id: "miller-2022",
        citation: "Miller KC, McDermott BP, Yeargin SW, Fiol A, Schwellnus MP. An evidence-based \
                   review of the pathophysiology, treatment, and prevention of exercise-associated \
                   muscle cramps. J Athl Train 2022;57(1):5-15.",
    },
    Reference {
        id: "ferreira-2023",
        citation: "Ferreira RM, Silva R, Vigário P, et al. The effects of massage guns on \
                   performance and recovery: a systematic review. J Funct Morphol Kinesiol \
                   2023;8(3):138.",
    },
    Reference {
        id: "wells-1997",
        citation: "Wells PS, Anderson DR, Bormanis J, et al. Value of assessment of pretest \
                   probability of deep-vein thrombosis in clinical management. Lancet \
                   1997;350(9094):1795-1798.",
    },
    Reference {
        id: "nice-ng158",
        citation: "National Institute for Health and Care Excellence. Venous thromboembolic \
                   diseases: diagnosis, management and thrombophilia testing (NICE guideline \
                   NG158). London: NICE; 2020.",
    },
    Reference {
        id: "ottawa-1992",
        citation: "Stiell IG, Greenberg GH, McKnight RD, et al. A study to develop clinical \
                   decision rules for the use of radiography in acute ankle injuries. Ann Emerg \
                   Med 1992;21(4):384-390.",
    },
    Reference {
        id: "hyperice-label",
        citation: "Hyperice. Normatec user manual: contraindications, warnings and precautions.",
    },
    Reference {
        id: "therabody-label",
        citation: "Therabody. Theragun and RecoveryAir product safety information: \
                   contraindications and warnings.",
    },
    Reference {
        id: "domain-pe",
        citation: "Konstantinides SV, Meyer G, Becattini C, et al. 2019 ESC Guidelines for the \
                   diagnosis and management of acute pulmonary embolism. Eur Heart J \
                   2020;41(4):543-603.",
    },
    Reference {
        id: "domain-vascular",
        citation: "Björck M, Earnshaw JJ, Acosta S, et al. European Society for Vascular Surgery \
                   (ESVS) 2020 Clinical Practice Guidelines on the Management of Acute Limb \
                   Ischaemia. Eur J Vasc Endovasc Surg 2020;59(2):173-218.",
    },
    Reference {
        id: "domain-acs",
        citation: "Via AG, Oliva F, Spoliti M, Maffulli N. Acute compartment syndrome. Muscles \
                   Ligaments Tendons J 2015;5(1):18-22; and Tucker AK. Chronic exertional \
                   compartment syndrome of the leg. Curr Rev Musculoskelet Med 2010;3(1-4):32-37.",
    },
    Reference {
        id: "domain-rhabdo",
        citation: "Bosch X, Poch E, Grau JM. Rhabdomyolysis and acute kidney injury. N Engl J Med \
                   2009;361(1):62-72.",
    },
    Reference {
        id: "domain-bsi",
        citation: "Warden SJ, Davis IS, Fredericson M. Management and prevention of bone stress \
                   injuries in long-distance runners. J Orthop Sports Phys Ther \
                   2014;44(10):749-765.",
    },
    Reference {
        id: "domain-doms",
        citation: "Cheung K, Hume P, Maxwell L. Delayed onset muscle soreness: treatment \
                   strategies and performance factors. Sports Med 2003;33(2):145-164.",
    },
    Reference {
        id: "domain-wbv",
        citation: "Cardinale M, Wakeling J. Whole body vibration exercise: are vibrations good for \
                   you? Br J Sports Med 2005;39(9):585-589.",
    },
    Reference {
        id: "domain-contra",
        citation: "Morris RJ, Woodcock JP. Evidence-based compression: prevention of stasis and \
                   deep vein thrombosis. Ann Surg 2004;239(2):162-171; and Raff AB, Kroshinsky D. \
                   Cellulitis: a review. JAMA 2016;316(3):325-337.",
    },
    Reference {
        id: "domain-cardiac",
        citation: "Kim JH, Malhotra R, Chiampas G, et al. Cardiac arrest during long-distance \
                   running races. N Engl J Med 2012;366(2):130-140; and Harmon KG, Drezner JA, \
                   et al. American Medical Society for Sports Medicine position statement on \
                   cardiovascular preparticipation screening in athletes. Br J Sports Med \
                   2024;58:1-13 (exertional chest pain, syncope and dizziness as red flags).",
    },
    Reference {
        id: "domain-neuro",
        citation: "Lavy C, Marks P, Dangas K, Todd N. Cauda equina syndrome: a practical guide to \
                   definition and classification. BMJ 2022;376:e064305; and Stevens JC. The \
                   electrodiagnosis of common peroneal neuropathy (foot drop). Muscle Nerve \
                   2015;52(4):499-509.",
    },
    Reference {
        id: "domain-heat",
        citation: "Roberts WO, Armstrong LE, Sawka MN, et al. ACSM expert consensus statement on \
                   exertional heat illness: recognition, management, and return to activity. \
                   Curr Sports Med Rep 2021;20(9):470-484.",
    },
    Reference {
        id: "domain-achilles",
        citation: "Maffulli N. The clinical diagnosis of subcutaneous tear of the Achilles tendon: \
                   a prospective study in 174 patients. Am J Sports Med 1998;26(2):266-270; and \
                   Kadakia AR, et al. Acute Achilles tendon ruptures: missed diagnosis. J Am Acad \
                   Orthop Surg 2016.",
    },
];

/// Looks a reference up by id.
pub fn find(id: &str) -> Option<&'static Reference> {
    REFERENCES.get(position(id))
}

/// The position of an id in the table (unknown ids sort last): a plan looks up every id it
/// cites, so the ids are found through [`INDEX`] rather than by comparing each in turn.
pub fn position(id: &str) -> usize {
    let mut slot = slot_of(id.as_bytes());
    // The index is at most half full, so the probe meets an empty slot.
    while let Some(&entry) = INDEX.get(slot) {
        let i = usize::from(entry);
        match REFERENCES.get(i.wrapping_sub(1)) {
            None => break,
            Some(r) if r.id == id => return i - 1,
            Some(_) => slot = (slot + 1) % SLOTS,
        }
    }
    usize::MAX
}

/// Slots of [`INDEX`]: a power of two, at least twice the number of references.
const SLOTS: usize = 128;
const _: () = assert!(REFERENCES.len() * 2 <= SLOTS && REFERENCES.len() < u8::MAX as usize);

/// Open addressing over the ids, built at compile time: a slot holds a reference's position
/// plus one, 0 when empty; an id starts at [`slot_of`] and probes the next slots.
const INDEX: [u8; SLOTS] = index();

const fn index() -> [u8; SLOTS] {
    let mut slots = [0u8; SLOTS];
    let mut i = 0;
    while i < REFERENCES.len() {
        let mut slot = slot_of(REFERENCES[i].id.as_bytes());
        while slots[slot] != 0 {
            slot = (slot + 1) % SLOTS;
        }
        slots[slot] = i as u8 + 1;
        i += 1;
    }
    slots
}

/// Where an id starts its probe: its length and three of its bytes (ids share prefixes such
/// as `domain-` and end in years, so the middle and the end carry most of the difference).
const fn slot_of(id: &[u8]) -> usize {
    let n = id.len();
    if n == 0 {
        return 0;
    }
    let (first, mid, last) = (id[0] as usize, id[n / 2] as usize, id[n - 1] as usize);
    (n + first * 3 + mid * 7 + last * 5) % SLOTS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_citations_present() {
        for (i, r) in REFERENCES.iter().enumerate() {
            assert!(!r.citation.is_empty());
            assert_eq!(position(r.id), i, "duplicate id {}", r.id);
        }
        assert!(find("seed-guide").is_some());
        assert!(find("nope").is_none());
        for unknown in ["", "x", "seed-guid", "seed-guidee", "domain-", "dupuy-2019"] {
            assert_eq!(position(unknown), usize::MAX, "{unknown:?}");
        }
    }
}

/// A sentence with its reference ids in brackets — `(miller-2022)`, `(nice-ng158, wells-1997)` —
/// written as short citations a runner reads: `(Miller et al. 2022)`, `(National Institute for
/// Health and Care Excellence 2020; Wells et al. 1997)`. A bracket that is not all known ids is
/// left as it is. The ids stay in the JSON's `evidence` and `references`.
pub fn readable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('(') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find(')') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let inside = &after[..close];
        let refs: Option<Vec<&Reference>> = inside.split(", ").map(|id| find(id.trim())).collect();
        match refs {
            Some(refs) if !refs.is_empty() => {
                let shorts: Vec<String> = refs.iter().map(|r| r.short()).collect();
                out.push('(');
                out.push_str(&shorts.join("; "));
                out.push(')');
            }
            _ => {
                out.push('(');
                out.push_str(inside);
                out.push(')');
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod readable_tests {
    use super::*;

    #[test]
    fn ids_become_short_citations() {
        assert_eq!(find("dupuy-2018").map(Reference::short).as_deref(), Some("Dupuy et al. 2018"));
        assert_eq!(
            find("ottawa-1992").map(Reference::short).as_deref(),
            Some("Stiell et al. 1992")
        );
        assert_eq!(find("hyperice-label").map(Reference::short).as_deref(), Some("Hyperice"));
        let short = |id: &str| find(id).map(Reference::short).unwrap_or_default();
        assert_eq!(short("overmayer-2018"), "Overmayer and Driller 2018");
        assert_eq!(short("normatec-k220217"), "U.S. Food and Drug Administration 2022");
        assert_eq!(short("seed-guide"), "The Ultimate Recovery Guide for Super Runners");
        assert_eq!(short("rittweger-2010"), "Rittweger 2010");
        assert_eq!(
            readable("Stretch it gently (miller-2022). Rest (nice-ng158, wells-1997)."),
            format!(
                "Stretch it gently ({}). Rest ({}; {}).",
                find("miller-2022").unwrap().short(),
                find("nice-ng158").unwrap().short(),
                find("wells-1997").unwrap().short()
            )
        );
        assert_eq!(
            readable("10 min (about 1 km) (unknown-id)"),
            "10 min (about 1 km) (unknown-id)"
        );
        assert_eq!(readable("open ( without close"), "open ( without close");
        // No id survives in any short citation.
        for r in REFERENCES {
            let s = r.short();
            assert!(!s.contains(r.id) && !s.is_empty(), "{}: {s}", r.id);
        }
    }
}
