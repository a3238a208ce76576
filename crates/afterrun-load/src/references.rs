//! The published sources behind every constant of this crate.
//!
//! Each constant in the code names the id of the source it comes from, so a reader can check the
//! number, and the planner or `status` can print the citation next to the figure it explains.
//! Where a constant is a modelling choice rather than a published number, its comment says so and
//! names the source that constrains it.
//!
//! [`Reference`] is the one type of a source in the workspace: the protocol's list of the
//! references its rules cite holds the same type.

/// One source: a stable id (`banister-1991`) and a citation people can look up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    /// The id cited in code, plans and JSON (`author-year`, or a name such as `seed-guide`).
    pub id: &'static str,
    /// The full citation.
    pub citation: &'static str,
}

impl Reference {
    /// A short citation a runner reads in a sentence: `Dupuy et al. 2018`, `Overmayer and
    /// Driller 2018`, `U.S. Food and Drug Administration 2022`, `Hyperice`.
    pub fn short(&self) -> String {
        let who = authors(self.citation).unwrap_or_else(|| organisation(self.citation));
        match year(self.citation) {
            Some(y) => format!("{who} {y}"),
            None => who,
        }
    }
}

/// Every source this crate relies on, in alphabetical order of id.
pub const REFERENCES: &[Reference] = &[
    Reference {
        id: "allen-coggan-2010",
        citation: "Allen H, Coggan A. Training and Racing with a Power Meter, 2nd ed. VeloPress, 2010 \
                   (training stress score: hours x IF^2 x 100; chronic and acute training load \
                   time constants 42 and 7 days)",
    },
    Reference {
        id: "banister-1991",
        citation: "Banister EW. Modeling elite athletic performance. In: MacDougall JD, Wenger HA, \
                   Green HJ, eds. Physiological Testing of the High-Performance Athlete. Human \
                   Kinetics, 1991:403-424 (TRIMP weighted by heart-rate reserve: 0.64e^1.92x men, \
                   0.86e^1.67x women)",
    },
    Reference {
        id: "cheung-2003",
        citation: "Cheung K, Hume P, Maxwell L. Delayed onset muscle soreness: treatment strategies \
                   and performance factors. Sports Med 2003;33(2):145-164 (DOMS rises through \
                   the first 24 h, peaks between 24 and 72 h, and has gone by 5-7 days)",
    },
    Reference {
        id: "dorn-2012",
        citation: "Dorn TW, Schache AG, Pandy MG. Muscular strategy shift in human running: \
                   dependence of running speed on hip and ankle muscle performance. J Exp Biol \
                   2012;215:1944-1956 (calf and gluteal force rise with running speed)",
    },
    Reference {
        id: "eston-1995",
        citation: "Eston RG, Mickleborough J, Baltzopoulos V. Eccentric activation and muscle \
                   damage: biomechanical and physiological considerations during downhill running. \
                   Br J Sports Med 1995;29(2):89-94 (downhill running loads the quadriceps \
                   eccentrically and causes soreness)",
    },
    Reference {
        id: "foster-1998",
        citation: "Foster C. Monitoring training in athletes with reference to overtraining \
                   syndrome. Med Sci Sports Exerc 1998;30(7):1164-1168 (monotony = mean / sd of \
                   daily load over a week, strain = weekly load x monotony, monotony > 2 a warning)",
    },
    Reference {
        id: "foster-2001",
        citation: "Foster C, Florhaug JA, Franklin J, et al. A new approach to monitoring exercise \
                   training. J Strength Cond Res 2001;15(1):109-115 (session RPE = CR-10 rating x \
                   minutes)",
    },
    Reference {
        id: "gabbett-2016",
        citation: "Gabbett TJ. The training-injury prevention paradox: should athletes be training \
                   smarter and harder? Br J Sports Med 2016;50(5):273-280 (acute:chronic ratio \
                   0.8-1.3 the sweet spot, >= 1.5 the danger zone; rolling 7-day / 28-day ratio)",
    },
    Reference {
        id: "karvonen-1957",
        citation: "Karvonen MJ, Kentala E, Mustala O. The effects of training on heart rate; a \
                   longitudinal study. Ann Med Exp Biol Fenn 1957;35(3):307-315 (heart-rate \
                   reserve)",
    },
    Reference {
        id: "mchugh-2003",
        citation: "McHugh MP. Recent advances in the understanding of the repeated bout effect: \
                   the protective effect against muscle damage from a single bout of eccentric \
                   exercise. Scand J Med Sci Sports 2003;13(2):88-97",
    },
    Reference {
        id: "minetti-2002",
        citation: "Minetti AE, Moia C, Roi GS, Susta D, Ferretti G. Energy cost of walking and \
                   running at extreme uphill and downhill slopes. J Appl Physiol \
                   2002;93(3):1039-1046 (cost of running as a polynomial of grade, -0.45 to +0.45)",
    },
    Reference {
        id: "morton-1990",
        citation: "Morton RH, Fitz-Clarke JR, Banister EW. Modeling human performance in running. \
                   J Appl Physiol 1990;69(3):1171-1177 (fitness-fatigue impulse-response model)",
    },
    Reference {
        id: "nosaka-2001",
        citation: "Nosaka K, Sakamoto K, Newton M, Sacco P. How long does the protective effect on \
                   eccentric exercise-induced muscle damage last? Med Sci Sports Exerc \
                   2001;33(9):1490-1495 (repeated-bout protection fading over about six months)",
    },
    Reference {
        id: "roberts-2005",
        citation: "Roberts TJ, Belliveau RA. Sources of mechanical power for uphill running in \
                   humans. J Exp Biol 2005;208:1963-1970 (uphill work comes from the hip \
                   extensors and the ankle)",
    },
    Reference {
        id: "schache-2012",
        citation: "Schache AG, Dorn TW, Blanch PD, Brown NAT, Pandy MG. Mechanics of the human \
                   hamstring muscles during sprinting. Med Sci Sports Exerc 2012;44(4):647-658 \
                   (hamstring load rises steeply with speed)",
    },
    Reference {
        id: "seed-guide",
        citation: "The Ultimate Recovery Guide for Super Runners (afterrun protocol.md sections 4 \
                   and 5: runs of 90 min or more load quads, calves and hamstrings; high volume \
                   from the athlete's own load)",
    },
    Reference {
        id: "tanaka-2001",
        citation: "Tanaka H, Monahan KD, Seals DR. Age-predicted maximal heart rate revisited. \
                   J Am Coll Cardiol 2001;37(1):153-156 (max HR = 208 - 0.7 x age)",
    },
    Reference {
        id: "williams-2017",
        citation: "Williams S, West S, Cross MJ, Stokes KA. Better way to determine the \
                   acute:chronic workload ratio? Br J Sports Med 2017;51(3):209-210 (exponentially \
                   weighted averages, lambda = 2 / (N + 1))",
    },
];

/// The citation of a reference id, if this crate knows it.
pub fn reference(id: &str) -> Option<&'static Reference> {
    REFERENCES.iter().find(|r| r.id == id)
}

/// The first year (19xx or 20xx) standing alone in a citation.
fn year(c: &str) -> Option<&str> {
    let b = c.as_bytes();
    (0..b.len().saturating_sub(3)).find_map(|i| {
        let digits = b[i..i + 4].iter().all(u8::is_ascii_digit);
        let alone = (i == 0 || !b[i - 1].is_ascii_alphanumeric())
            && b.get(i + 4).is_none_or(|n| !n.is_ascii_alphanumeric());
        (digits && alone && matches!(&b[i..i + 2], b"19" | b"20")).then(|| &c[i..i + 4])
    })
}

/// `Surname AB, Other CD.` → `Surname and Other`; three or more → `Surname et al.`; `None`
/// when the citation does not start with a list of authors.
fn authors(c: &str) -> Option<String> {
    let list = c.split(". ").next()?;
    let people: Vec<&str> = list.split(", ").filter(|a| !a.starts_with("et al")).collect();
    let more = people.len() < list.split(", ").count();
    let names: Vec<&str> =
        people.iter().map(|a| a.split_whitespace().next().unwrap_or("")).collect();
    let initials_ok = people.iter().all(|a| {
        // `Surname AB` or `Two Part Surname AB`: the initials come last.
        let parts: Vec<&str> = a.split_whitespace().collect();
        parts.len() >= 2
            && parts.last().is_some_and(|i| {
                let i = i.trim_end_matches('.');
                !i.is_empty() && i.len() <= 3 && i.chars().all(|ch| ch.is_uppercase())
            })
    });
    if !initials_ok {
        return None;
    }
    Some(match names.as_slice() {
        [first, ..] if more => format!("{first} et al."),
        [one] => (*one).to_owned(),
        [a, b] => format!("{a} and {b}"),
        [first, ..] => format!("{first} et al."),
        [] => return None,
    })
}

/// An organisation or a title: up to the first full stop or bracket (an abbreviation's dots,
/// as in `U.S.`, are kept).
fn organisation(c: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in c.split(". ") {
        out.push(part);
        let abbreviation = part.len() <= 4 && part.contains('.');
        if !abbreviation {
            break;
        }
    }
    let text = out.join(". ");
    text.split([':', '(']).next().unwrap_or(&text).trim().trim_end_matches('.').to_owned()
}
