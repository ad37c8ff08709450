//! `druid-bulk status [BULK_ID]`: where a bulk stands (`received`,
//! `scheduled`, `processing`, `completed`, `failed`) and when it was created
//! and last updated, or the same for every bulk, in any output format.

use std::io::{self, BufWriter, Write};
use std::sync::Arc;

use anyhow::Result;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::api::Api;
use crate::config::Config;
use crate::exit::{Class, Failure};
use crate::output::{self, Layout, Row};
use crate::paginate;
use crate::retry::{self, Clock};

/// Columns shown by default.
pub const COLUMNS: [&str; 4] = ["bulkId", "status", "createdAt", "updatedAt"];

/// Fetch and print the status of `bulk_id`, or of every bulk.
pub async fn show(cfg: &Config, bulk_id: Option<&str>) -> Result<()> {
    let api = Arc::new(Api::new(cfg.conn.clone(), cfg.timeout, cfg.lang.clone())?);
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
    let layout = Layout {
        columns: cfg.columns.clone(),
        header: cfg.header,
        width: cfg.table_width,
        csv_safe: cfg.csv_safe,
        color: cfg.color,
    };
    let mut out = BufWriter::new(io::stdout());
    {
        let mut writer = output::writer(cfg.format, &mut out, layout);
        writer.begin()?;
        for raw in &raws {
            writer.row(&Row::parse(raw.get())?)?;
        }
        writer.end_page()?;
        writer.finish()?;
    }
    out.flush()?;
    Ok(())
}

/// The request, retried on transient faults like a results page.
async fn fetch(api: &Api, cfg: &Config, bulk_id: Option<&str>) -> Result<bytes::Bytes> {
    let clock = Clock::from_env();
    let body = retry::run(
        cfg.retry,
        &clock,
        "the status request",
        |attempt| async move {
            if attempt.renew_token {
                api.forget_token().await;
            }
            api.fetch_status(bulk_id)
                .await
                .map_err(|error| paginate::fault(error, api))
        },
    )
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
