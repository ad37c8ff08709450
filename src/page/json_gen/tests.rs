//! The generators hold to what they say.

use super::*;

proptest! {
    #![proptest_config(config())]

    /// The generators make what they say: valid JSON (serde agrees).
    #[test]
    fn generated_text_is_valid_json(v in value(), r in row(), s in string_literal()) {
        for text in [&v, &r, &s] {
            prop_assert!(serde_json::from_str::<&RawValue>(text).is_ok(), "{}", text);
        }
        prop_assert!(serde_members(&r).is_some() || r.contains("\\u"), "{}", r);
    }

    /// A spoiled text is not UTF-8 where it had a spot, and serde
    /// refuses it; without one, it is the text as it was.
    #[test]
    fn spoiled_text_is_not_utf8(v in value(), at in any::<usize>(), bad in any::<usize>()) {
        let spoiled = spoil(&v, at, bad);
        if v.contains(SPOT) {
            prop_assert!(std::str::from_utf8(&spoiled).is_err(), "{}", v);
            prop_assert!(serde_json::from_slice::<&RawValue>(&spoiled).is_err(), "{}", v);
        } else {
            prop_assert_eq!(spoiled, v.as_bytes());
        }
    }

    /// The reference decoder is serde's wherever serde decodes.
    #[test]
    fn the_lossy_reference_is_serdes_where_serde_decodes(s in string_literal()) {
        if let Ok(text) = serde_json::from_str::<String>(&s) {
            prop_assert_eq!(lossy(&s), text);
        }
    }
}
