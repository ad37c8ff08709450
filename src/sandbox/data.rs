//! Deterministic, lazily generated row data for the sandbox: the splitmix64-style
//! hash, the UUIDv7 row-id encoding (timestamp from the bulk's [`Stamps`],
//! `BASE_MS + index` unless configured otherwise), and the generation of a
//! single result row.

use std::borrow::Cow;

use serde::Serialize;

use super::ids::{Stamps, BASE_MS};

/// Share (in percent) of rows that succeeded and therefore carry no `error`.
const SUCCESS_PERCENT: u64 = 20;
/// Share (in percent) of rows identified by `object_id` (the rest use `pulse_id`).
const OBJECT_ID_PERCENT: u64 = 60;
/// One failed row in this many carries an undocumented extra field.
const EXTRA_FIELD_ONE_IN: u64 = 10;

/// Realistic error messages. Together they contain commas, double quotes,
/// embedded newlines and non-ASCII text (accents, CJK, an emoji), so that
/// exporters are exercised on every kind of awkward character.
pub(crate) const ERROR_MESSAGES: &[&str] = &[
    "Invalid email \"ana@@example.com\", expected user@domain",
    "Campo obligatorio: teléfono\nRevise los datos",
    "用户不存在",
    "Duplicate externalId, already used by another user",
    "Password policy: min 12 chars, 1 digit, 1 symbol 🔒",
    "User not found",
    "Invalid date format for \"birthDate\": expected YYYY-MM-DD",
    "Número de documento inválido, compruebe el formato",
    "Field \"name\" exceeds max length (255)\nValue was rejected",
    "Consent \"marketing\" must be accepted before updating the user",
    "Conflicting update: user was modified concurrently, retry later",
    "Invalid phone number \"+34 600 00 00\"",
];

/// Values of the undocumented extra `field` key.
const EXTRA_FIELDS: &[&str] = &["email", "phone", "externalId", "birthDate", "password"];

/// The splitmix64 finaliser: a cheap, well-mixed 64-bit hash step.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a over a string (a bulk id, a user identifier).
pub(crate) fn hash_str(s: &str) -> u64 {
    s.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// Generates the rows of one bulk for one seed; cheap to build per request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RowGen {
    key: u64,
    stamps: Stamps,
}

impl RowGen {
    /// The rows of `bulk_id`, ids one a millisecond from the base time.
    pub(crate) fn new(seed: u64, bulk_id: &str) -> Self {
        RowGen {
            key: mix(seed ^ mix(hash_str(bulk_id))),
            stamps: Stamps::historical(),
        }
    }

    /// The same rows with their ids' timestamps from `stamps`.
    pub(crate) fn with_stamps(self, stamps: Stamps) -> Self {
        RowGen { stamps, ..self }
    }

    /// Independent hash number `salt` for row `index`.
    fn h(&self, index: u64, salt: u64) -> u64 {
        mix(self.key ^ mix(index ^ mix(salt.wrapping_mul(0xD6E8_FEB8_6659_FD93))))
    }

    /// Whether row `index` is a failure (has an `error`); cheap, used for filtering.
    pub(crate) fn is_failed(&self, index: u64) -> bool {
        self.h(index, 1) % 100 >= SUCCESS_PERCENT
    }

    /// The row id of `index`.
    pub(crate) fn id(&self, index: u64) -> String {
        format_uuid(self.id_bits(index))
    }

    /// The 128 bits of the row id of `index`: the timestamp from the
    /// stamps, `rand_a` their counter or else random, `rand_b` random.
    pub(crate) fn id_bits(&self, index: u64) -> u128 {
        let (ms, counter) = self.stamps.at(index);
        let rand_a = counter.unwrap_or_else(|| self.h(index, 2));
        uuid_v7_bits(ms, rand_a, self.h(index, 3))
    }

    /// The complete row at `index`.
    pub(crate) fn row(&self, index: u64) -> Row {
        let failed = self.is_failed(index);
        let by_object = self.h(index, 4) % 100 < OBJECT_ID_PERCENT;
        // Whether the "other" identifier is present as null (true) or absent (false).
        let other_null = self.h(index, 5) & 1 == 1;
        let other = if other_null { Some(None) } else { None };
        let (kind, object_id, pulse_id) = if by_object {
            let a = self.h(index, 6);
            let b = self.h(index, 7) & 0xFFFF_FFFF;
            let oid = format!("{a:016x}{b:08x}");
            ("object_id", Some(Some(oid)), other)
        } else {
            let n = self.h(index, 8) % 10_000_000_000;
            ("pulse_id", other, Some(Some(format!("pulse-{n:010}"))))
        };
        let (error, field) = if failed {
            let msg = ERROR_MESSAGES[(self.h(index, 9) % ERROR_MESSAGES.len() as u64) as usize];
            let extra = self.h(index, 10);
            let field = extra
                .is_multiple_of(EXTRA_FIELD_ONE_IN)
                .then(|| EXTRA_FIELDS[((extra >> 32) % EXTRA_FIELDS.len() as u64) as usize]);
            (Some(Cow::Borrowed(msg)), field)
        } else {
            (None, None)
        };
        Row {
            id: self.id(index),
            user_identifier_type: Some(kind),
            object_id,
            pulse_id,
            error,
            field,
        }
    }
}

/// One result row, serialised with keys in the API's order. For the optional
/// identifiers, `None` means "key absent" and `Some(None)` means `null`; a
/// `userIdentifierType` of `None` is `null` (a submitted line that named no
/// user).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Row {
    pub id: String,
    pub user_identifier_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_id: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pulse_id: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Cow<'static, str>>,
    /// Undocumented extra field, only on some failed rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
}

/// Formats a UUIDv7 whose 48-bit timestamp is `BASE_MS + index`, with version
/// nibble 7, the RFC 4122 variant, and the remaining 74 bits from `r1`/`r2`.
pub(crate) fn encode_uuid_v7(index: u64, r1: u64, r2: u64) -> String {
    format_uuid(uuid_v7_bits(BASE_MS.wrapping_add(index), r1, r2))
}

/// The UUIDv7 of unix millisecond `ms` (its low 48 bits), version 7, the
/// RFC 9562 variant, `rand_a` the low 12 bits of `r1`, `rand_b` the low 62 of `r2`.
pub(crate) fn uuid_v7_bits(ms: u64, r1: u64, r2: u64) -> u128 {
    let ts = ms & 0xFFFF_FFFF_FFFF;
    let hi: u64 = (ts << 16) | 0x7000 | (r1 & 0x0FFF);
    let lo: u64 = 0x8000_0000_0000_0000 | (r2 & 0x3FFF_FFFF_FFFF_FFFF);
    (u128::from(hi) << 64) | u128::from(lo)
}

/// A UUID's 128 bits as canonical lowercase hyphenated text.
pub(crate) fn format_uuid(v: u128) -> String {
    let (hi, lo) = ((v >> 64) as u64, v as u64);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xFFFF,
        hi & 0xFFFF,
        lo >> 48,
        lo & 0xFFFF_FFFF_FFFF
    )
}

/// Parses a hyphenated 36-char UUID (either case) into its 128 bits.
pub(crate) fn parse_uuid(s: &str) -> Option<u128> {
    let b = s.as_bytes();
    if b.len() != 36 {
        return None;
    }
    let mut v: u128 = 0;
    for (i, &c) in b.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if c != b'-' {
                return None;
            }
            continue;
        }
        let d = (c as char).to_digit(16)?;
        v = (v << 4) | u128::from(d);
    }
    Some(v)
}

/// The 48-bit millisecond timestamp of a UUID (meaningful for v7 ids).
#[cfg(test)]
pub(crate) fn uuid_timestamp(uuid: u128) -> u64 {
    (uuid >> 80) as u64
}

/// Decodes a row id back to its index (`None` if not a sandbox row id).
#[cfg(test)]
pub(crate) fn decode_index(id: &str) -> Option<u64> {
    let v = parse_uuid(id)?;
    let version = (v >> 76) & 0xF;
    let variant = (v >> 62) & 0b11;
    if version != 7 || variant != 0b10 {
        return None;
    }
    uuid_timestamp(v).checked_sub(BASE_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_round_trips_and_sorts() {
        let g = RowGen::new(42, "bulk");
        let idx = [
            0u64,
            1,
            2,
            9,
            10,
            255,
            256,
            65_535,
            999_999,
            1_000_000,
            123_456_789,
        ];
        let mut prev: Option<String> = None;
        for &i in &idx {
            let id = g.id(i);
            assert_eq!(id.len(), 36);
            assert_eq!(&id[14..15], "7", "version nibble in {id}");
            assert!(
                matches!(&id[19..20], "8" | "9" | "a" | "b"),
                "variant in {id}"
            );
            assert_eq!(decode_index(&id), Some(i));
            assert_eq!(parse_uuid(&id), Some(g.id_bits(i)));
            if let Some(p) = prev {
                assert!(p < id, "{p} !< {id}");
            }
            prev = Some(id);
        }
        // consecutive ids sort in index order
        let ids: Vec<String> = (0..2000).map(|i| g.id(i)).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn parse_uuid_rejects_malformed() {
        assert!(parse_uuid("").is_none());
        assert!(parse_uuid("not-a-uuid").is_none());
        assert!(parse_uuid("018fcf0a3b2c7d419e5a6c8b1f2d4e73").is_none());
        assert!(parse_uuid("018fcf0a-3b2c-7d41-9e5a-6c8b1f2d4e7g").is_none());
        assert!(parse_uuid("018fcf0a-3b2c-7d41-9e5a+6c8b1f2d4e73").is_none());
        assert!(parse_uuid("018FCF0A-3B2C-7D41-9E5A-6C8B1F2D4E73").is_some());
    }

    #[test]
    fn rows_are_deterministic_and_well_formed() {
        let g = RowGen::new(42, "bulk");
        let failed = (0..10_000).filter(|&i| g.is_failed(i)).count();
        assert!((7_500..8_500).contains(&failed), "failed share {failed}");
        for i in 0..500 {
            let r = g.row(i);
            assert_eq!(r, g.row(i));
            assert_eq!(r.error.is_some(), g.is_failed(i));
            assert!(r.field.is_none() || r.error.is_some());
            match r.user_identifier_type.unwrap() {
                "object_id" => {
                    let oid = r.object_id.clone().flatten().unwrap();
                    assert_eq!(oid.len(), 24);
                    assert!(oid.bytes().all(|c| c.is_ascii_hexdigit()));
                    assert!(!matches!(r.pulse_id, Some(Some(_))));
                }
                "pulse_id" => {
                    let p = r.pulse_id.clone().flatten().unwrap();
                    assert!(p.starts_with("pulse-") && p.len() == 16);
                    assert!(!matches!(r.object_id, Some(Some(_))));
                }
                other => panic!("bad type {other}"),
            }
        }
        assert_ne!(RowGen::new(42, "a").id(0), RowGen::new(43, "a").id(0));
        assert_ne!(RowGen::new(42, "a").id(0), RowGen::new(42, "b").id(0));
    }
}
