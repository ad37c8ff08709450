//! `druid-bulk status [BULK_ID]`: where a bulk stands (`received`,
//! `scheduled`, `processing`, `completed`, `failed`) and when it was created
//! and last updated, or the same for every bulk, in any output format. JSON
//! lines and JSON give the documented fields first, in their documented
//! order, then the others as the server sent them.

use std::fmt;
use std::io::{self, BufWriter, Write};
use std::marker::PhantomData;
use std::process::ExitCode;

use anyhow::Result;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::api::Api;
use crate::cli::{GlobalArgs, StatusArgs};
use crate::exit::{Class, Failure};
use crate::output;
use crate::paginate;
use crate::settings::{self, Status, STATUS_COLUMNS};
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
        .map(documented_first)
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
/// checked, each with its fields in the order they came. For `one` bulk,
/// `content`, which must say its `status`; for all of them,
/// `content.results` (or `content.bulks`, or a `content` array; none when
/// `content` is null), each with a `bulkId` and a `status`.
/// `Err`: how the answer breaks the protocol.
fn status_rows(body: &[u8], one: bool) -> Result<Vec<Members<Value>>, String> {
    let parsed: Members<Box<RawValue>> = serde_json::from_slice(body)
        .map_err(|e| format!("is not the JSON the API documents ({e})"))?;
    let content = parsed.get("content").map_or("null", |c| c.get());
    if one {
        return match serde_json::from_str::<Members<Value>>(content) {
            Ok(bulk) if bulk.get("status").is_some_and(Value::is_string) => Ok(vec![bulk]),
            _ => Err("does not say where the bulk stands (no content.status)".into()),
        };
    }
    let list = |text: &str| serde_json::from_str::<Vec<Box<RawValue>>>(text).ok();
    let rows: Vec<Box<RawValue>> = match content.as_bytes().first() {
        Some(b'[') => list(content).unwrap_or_default(),
        Some(b'{') => {
            let map: Members<Box<RawValue>> =
                serde_json::from_str(content).map_err(|e| e.to_string())?;
            let inner = map.get("results").or_else(|| map.get("bulks"));
            match inner.and_then(|items| list(items.get())) {
                Some(items) => items,
                None => {
                    vec![RawValue::from_string(content.to_string()).map_err(|e| e.to_string())?]
                }
            }
        }
        _ if content == "null" => Vec::new(),
        _ => return Err("has a `content` that is neither a list nor an object".into()),
    };
    let mut bulks = Vec::with_capacity(rows.len());
    for (n, row) in rows.iter().enumerate() {
        let n = n + 1;
        let Ok(bulk) = serde_json::from_str::<Members<Value>>(row.get()) else {
            return Err(format!(
                "is not usable: bulk {n} in the list is not a JSON object"
            ));
        };
        let field = |key| bulk.get(key).and_then(Value::as_str);
        match (field("bulkId"), field("status")) {
            (None | Some(""), _) => {
                return Err(format!("is not usable: bulk {n} in the list has no bulkId"))
            }
            (Some(id), None) => {
                return Err(format!(
                    "is not usable: bulk {n} in the list ({id}) has no status"
                ))
            }
            (Some(_), Some(_)) => {}
        }
        bulks.push(bulk);
    }
    Ok(bulks)
}

/// A bulk's status as one JSON object: the documented fields first
/// (`bulkId`, `status`, `createdOn`, `updatedOn`), in that order, then the
/// others in the server's.
fn documented_first(bulk: &Members<Value>) -> serde_json::Result<Box<RawValue>> {
    let mut names: Vec<&str> = STATUS_COLUMNS
        .iter()
        .copied()
        .filter(|name| bulk.get(name).is_some())
        .collect();
    for (name, _) in &bulk.0 {
        if !names.contains(&name.as_str()) {
            names.push(name);
        }
    }
    let mut text = String::from("{");
    for (i, name) in names.into_iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&serde_json::to_string(name)?);
        text.push(':');
        text.push_str(&serde_json::to_string(&bulk.get(name))?);
    }
    text.push('}');
    RawValue::from_string(text)
}

/// A JSON object's members in the order they came (serde_json's `Map`
/// sorts them); a name given twice keeps its last value, as there.
#[derive(Debug)]
struct Members<V>(Vec<(String, V)>);

impl<V> Members<V> {
    fn get(&self, name: &str) -> Option<&V> {
        self.0.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Members<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct InOrder<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for InOrder<V> {
            type Value = Members<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<V>, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(InOrder(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Each row as it is written.
    fn written(rows: &[Members<Value>]) -> Vec<String> {
        (rows.iter())
            .map(|r| documented_first(r).unwrap().get().to_string())
            .collect()
    }

    #[test]
    fn one_bulk_or_a_list_becomes_rows() {
        let b1 = json!({"bulkId": "B1", "status": "completed"});
        let b2 = json!({"bulkId": "B2", "status": "failed"});
        let one = json!({ "content": b1 }).to_string();
        let rows = status_rows(one.as_bytes(), true).unwrap();
        assert_eq!(written(&rows), [b1.to_string()]);
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

    #[test]
    fn the_documented_fields_come_first_then_the_others_in_the_server_s_order() {
        let body = r#"{"content": {"results": [
            {"zeta": 1, "updatedOn": "U", "alpha": {"b": 2, "a": 1}, "status": "completed",
             "createdOn": "C", "bulkId": "B1"},
            {"status": "failed", "note": "x", "bulkId": "B2", "status": "received"}
        ]}}"#;
        let rows = status_rows(body.as_bytes(), false).unwrap();
        assert_eq!(
            written(&rows),
            [
                r#"{"bulkId":"B1","status":"completed","createdOn":"C","updatedOn":"U","zeta":1,"alpha":{"a":1,"b":2}}"#,
                // A name given twice: its last value, once.
                r#"{"bulkId":"B2","status":"received","note":"x"}"#,
            ]
        );
        let one = r#"{"content": {"updatedOn": "U", "status": "processing", "bulkId": "B3"}}"#;
        let rows = status_rows(one.as_bytes(), true).unwrap();
        assert_eq!(
            written(&rows),
            [r#"{"bulkId":"B3","status":"processing","updatedOn":"U"}"#]
        );
    }
}
