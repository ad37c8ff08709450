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
use crate::settings::{self, Status};
use crate::ui;

pub fn run(args: &StatusArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let settings = settings::status(args, global, ui::stdout_color())?;
    crate::jobs::runtime()?.block_on(show(&settings))?;
    Ok(ExitCode::SUCCESS)
}

/// Fetch and print the status of one bulk, or of every bulk.
async fn show(cfg: &Status) -> Result<()> {
    let api = cfg.request.api(&cfg.conn)?;
    let bulk_id = cfg.bulk_id.as_deref();
    let body = fetch(&api, cfg, bulk_id).await?;
    let rows = status_rows(&body, bulk_id.is_some()).map_err(|why| {
        let answer = match bulk_id {
            Some(bulk) => format!("the status answer for bulk {bulk}"),
            None => "the list of bulks".to_string(),
        };
        Failure::new(Class::Protocol, format!("{answer} {why}"))
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
    let clock = cfg.request.clock();
    let body = paginate::call(api, cfg.request.retry, &clock, "the status request", || {
        api.fetch_status(bulk_id)
    })
    .await?;
    Ok(body)
}

/// The status objects in an answer whose envelope `Api::fetch_status` has
/// checked. For `one` bulk, `content`, which must say its `status`; for all
/// of them, `content.results` (or `content.bulks`, or a `content` array;
/// none when `content` is null), each with a `bulkId` and a `status`.
/// `Err`: how the answer breaks the protocol.
fn status_rows(body: &[u8], one: bool) -> Result<Vec<Value>, String> {
    let parsed: Value = serde_json::from_slice(body)
        .map_err(|e| format!("is not the JSON the API documents ({e})"))?;
    let content = parsed.get("content").unwrap_or(&Value::Null);
    if one {
        return match content.get("status") {
            Some(Value::String(_)) => Ok(vec![content.clone()]),
            _ => Err("does not say where the bulk stands (no content.status)".into()),
        };
    }
    let rows = match content {
        Value::Array(items) => items.clone(),
        Value::Object(map) => match map.get("results").or_else(|| map.get("bulks")) {
            Some(Value::Array(items)) => items.clone(),
            _ => vec![content.clone()],
        },
        Value::Null => Vec::new(),
        _ => return Err("has a `content` that is neither a list nor an object".into()),
    };
    for (n, row) in rows.iter().enumerate() {
        let field = |key| row.get(key).and_then(Value::as_str);
        let n = n + 1;
        match (row.is_object(), field("bulkId"), field("status")) {
            (false, ..) => {
                return Err(format!(
                    "is not usable: bulk {n} in the list is not a JSON object"
                ))
            }
            (true, None | Some(""), _) => {
                return Err(format!("is not usable: bulk {n} in the list has no bulkId"))
            }
            (true, Some(id), None) => {
                return Err(format!(
                    "is not usable: bulk {n} in the list ({id}) has no status"
                ))
            }
            (true, Some(_), Some(_)) => {}
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_bulk_or_a_list_becomes_rows() {
        let b1 = json!({"bulkId": "B1", "status": "completed"});
        let b2 = json!({"bulkId": "B2", "status": "failed"});
        let one = json!({ "content": b1 }).to_string();
        assert_eq!(status_rows(one.as_bytes(), true).unwrap(), vec![b1.clone()]);
        let list = json!({"content": {"results": [b1, b2]}}).to_string();
        assert_eq!(status_rows(list.as_bytes(), false).unwrap().len(), 2);
        let bare = json!({"content": [b1]}).to_string();
        assert_eq!(status_rows(bare.as_bytes(), false).unwrap().len(), 1);
        let none = json!({"content": null, "result": {"status": 200}}).to_string();
        assert_eq!(status_rows(none.as_bytes(), false).unwrap().len(), 0);
        assert!(status_rows(none.as_bytes(), true).is_err());
        assert!(status_rows(b"not json", false).is_err());
    }

    #[test]
    fn every_bulk_in_a_list_has_an_id_and_a_status() {
        for (content, why) in [
            (
                json!([{"bulkId": "B1", "status": "x"}, 7]),
                "bulk 2 in the list is not a JSON object",
            ),
            (json!([{"status": "x"}]), "bulk 1 in the list has no bulkId"),
            (json!([{"bulkId": "", "status": "x"}]), "has no bulkId"),
            (json!({"results": [{"bulkId": "B1"}]}), "(B1) has no status"),
            (json!([{"bulkId": "B1", "status": 5}]), "(B1) has no status"),
            (json!("B1"), "neither a list nor an object"),
        ] {
            let body = json!({ "content": content }).to_string();
            let got = status_rows(body.as_bytes(), false);
            assert!(
                matches!(got, Err(ref w) if w.contains(why)),
                "{body}: {got:?}"
            );
        }
        let body = json!({"content": {"bulkId": "B1"}}).to_string();
        assert!(status_rows(body.as_bytes(), true).is_err());
    }
}
