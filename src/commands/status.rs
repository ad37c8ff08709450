//! `druid-bulk status [BULK_ID]`: where a bulk stands (`received`,
//! `scheduled`, `processing`, `completed`, `failed`) and when it was created
//! and last updated, or the same for every bulk, in any output format.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use anyhow::Result;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::api::Api;
use crate::cli::{GlobalArgs, StatusArgs};
use crate::exit::{Class, Failure};
use crate::output;
use crate::paginate;
use crate::retry::Clock;
use crate::settings::{self, Status};
use crate::ui;

pub fn run(args: &StatusArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let settings = settings::status(args, global, ui::stdout_color())?;
    super::runtime()?.block_on(show(&settings))?;
    Ok(ExitCode::SUCCESS)
}

/// Fetch and print the status of one bulk, or of every bulk.
async fn show(cfg: &Status) -> Result<()> {
    let api = cfg.request.api(&cfg.conn)?;
    let bulk_id = cfg.bulk_id.as_deref();
    let body = fetch(&api, cfg, bulk_id).await?;
    let rows = status_rows(&body).ok_or_else(|| {
        Failure::new(
            Class::Protocol,
            "the status answer is not the JSON the API documents (no `content`)",
        )
    })?;
    let raws: Vec<Box<RawValue>> = rows
        .iter()
        .map(serde_json::value::to_raw_value)
        .collect::<Result<_, _>>()?;
    let mut out = BufWriter::new(io::stdout());
    {
        let layout = cfg.output.layout.clone();
        let mut writer = output::writer(cfg.output.format, &mut out, layout);
        writer.begin()?;
        output::write_page(writer.as_mut(), &raws)?;
        writer.finish()?;
    }
    out.flush()?;
    Ok(())
}

/// The request, retried on transient faults like a results page.
async fn fetch(api: &Api, cfg: &Status, bulk_id: Option<&str>) -> Result<bytes::Bytes> {
    let clock = Clock::from_env();
    let body = paginate::call(api, cfg.request.retry, &clock, "the status request", || {
        api.fetch_status(bulk_id)
    })
    .await?;
    Ok(body)
}

/// The status objects in an answer: `content` itself for one bulk;
/// `content.results` (or a `content` array) for all of them.
fn status_rows(body: &[u8]) -> Option<Vec<Value>> {
    let parsed: Value = serde_json::from_slice(body).ok()?;
    match parsed.get("content")? {
        Value::Array(items) => Some(items.clone()),
        Value::Object(map) => match map.get("results").or_else(|| map.get("bulks")) {
            Some(Value::Array(items)) => Some(items.clone()),
            _ => Some(vec![Value::Object(map.clone())]),
        },
        Value::Null => Some(Vec::new()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_bulk_or_a_list_becomes_rows() {
        let one = json!({"content": {"bulkId": "B1", "status": "completed"}}).to_string();
        assert_eq!(
            status_rows(one.as_bytes()).unwrap(),
            [json!({"bulkId": "B1", "status": "completed"})]
        );
        let list =
            json!({"content": {"results": [{"bulkId": "B1"}, {"bulkId": "B2"}]}}).to_string();
        assert_eq!(status_rows(list.as_bytes()).unwrap().len(), 2);
        let bare = json!({"content": [{"bulkId": "B1"}]}).to_string();
        assert_eq!(status_rows(bare.as_bytes()).unwrap().len(), 1);
        assert!(status_rows(b"{}").is_none());
        assert!(status_rows(b"not json").is_none());
    }
}
