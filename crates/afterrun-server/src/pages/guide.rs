//! The guide: the topics (`GET /guide`) and one topic with its citations (`GET /guide/{topic}`).

use afterrun_protocol::references::readable;
use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;

use crate::respond::{NotFoundPage, page};

#[derive(Template)]
#[template(path = "guide_list.html")]
struct GuideListPage {
    title: &'static str,
    nav: &'static str,
    topics: Vec<(&'static str, &'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "guide_topic.html")]
struct GuideTopicPage {
    title: &'static str,
    nav: &'static str,
    topic: &'static afterrun_protocol::guide::Topic,
    /// The advice and the evidence, their reference ids as short citations.
    seed_advice: Vec<String>,
    evidence: Vec<String>,
    /// The topic's citations, in the order the text meets them.
    references: Vec<&'static str>,
    outcome_note: &'static str,
}

pub(crate) async fn guide_list() -> Response {
    let topics =
        afterrun_protocol::guide::topics().iter().map(|t| (t.id, t.title, t.summary)).collect();
    page(StatusCode::OK, &GuideListPage { title: "Guide", nav: "guide", topics })
}

pub(crate) async fn guide_topic(Path(id): Path<String>) -> Response {
    match afterrun_protocol::guide::topic(&id) {
        Some(topic) => {
            let references = topic
                .references
                .iter()
                .filter_map(|rid| afterrun_protocol::references::find(rid))
                .map(|r| r.citation)
                .collect();
            let view = GuideTopicPage {
                title: topic.title,
                nav: "guide",
                topic,
                seed_advice: topic.seed_advice.iter().map(|p| readable(p)).collect(),
                evidence: topic.evidence.iter().map(|p| readable(p)).collect(),
                references,
                outcome_note: afterrun_protocol::guide::OUTCOME_FIGURES_NOTE,
            };
            page(StatusCode::OK, &view)
        }
        None => {
            let view = NotFoundPage {
                title: "Not found",
                nav: "guide",
                message: format!("There is no guide topic called “{id}”."),
            };
            page(StatusCode::NOT_FOUND, &view)
        }
    }
}
