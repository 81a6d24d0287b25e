//! The hparams plugin's summaries: `_hparams_/experiment`,
//! `_hparams_/session_start_info` and `_hparams_/session_end_info`, each a
//! `Summary.Value` whose metadata content is an `HParamsPluginData` and whose
//! tensor is a placeholder (the "null tensor", as TensorFlow writes it).

use std::collections::BTreeMap;

use prost::Message;

use crate::hparams::value::{HParamValue, Status};
use crate::proto::tensorboard::hparams::{
    h_params_plugin_data::Data, Experiment, HParamsPluginData, SessionEndInfo, SessionStartInfo,
};
use crate::proto::tensorboard::{
    summary, summary_metadata::PluginData, tensor_shape_proto::Dim, DataType, Summary,
    SummaryMetadata, TensorProto, TensorShapeProto,
};

/// Plugin name of hparams summaries.
pub const PLUGIN_NAME: &str = "hparams";
/// Tag of the experiment config.
pub const EXPERIMENT_TAG: &str = "_hparams_/experiment";
/// Tag of a session's start info.
pub const SESSION_START_INFO_TAG: &str = "_hparams_/session_start_info";
/// Tag of a session's end info.
pub const SESSION_END_INFO_TAG: &str = "_hparams_/session_end_info";

/// `DT_FLOAT` with shape `[0]`: bytes `08 01 12 02 12 00`.
fn null_tensor() -> TensorProto {
    TensorProto {
        dtype: DataType::DtFloat as i32,
        tensor_shape: Some(TensorShapeProto {
            dim: vec![Dim {
                size: 0,
                name: String::new(),
            }],
            unknown_rank: false,
        }),
        ..Default::default()
    }
}

fn plugin_summary(tag: &str, data: Data) -> Summary {
    let content = HParamsPluginData {
        version: 0,
        data: Some(data),
    }
    .encode_to_vec();
    Summary {
        value: vec![summary::Value {
            tag: tag.to_string(),
            metadata: Some(SummaryMetadata {
                plugin_data: Some(PluginData {
                    plugin_name: PLUGIN_NAME.to_string(),
                    content,
                }),
                // Left 0 like TensorFlow; loaders map the plugin to TENSOR.
                ..Default::default()
            }),
            value: Some(summary::value::Value::Tensor(null_tensor())),
            ..Default::default()
        }],
    }
}

/// The `_hparams_/experiment` summary.
pub fn experiment_summary(exp: Experiment) -> Summary {
    plugin_summary(EXPERIMENT_TAG, Data::Experiment(exp))
}

/// The `_hparams_/session_start_info` summary.
pub fn session_start_summary<'a>(
    hparams: impl IntoIterator<Item = (&'a str, &'a HParamValue)>,
    group_name: &str,
    start_time_secs: f64,
) -> Summary {
    let hparams: BTreeMap<String, _> = hparams
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_proto()))
        .collect();
    plugin_summary(
        SESSION_START_INFO_TAG,
        Data::SessionStartInfo(SessionStartInfo {
            hparams,
            group_name: group_name.to_string(),
            start_time_secs,
            ..Default::default()
        }),
    )
}

/// The `_hparams_/session_end_info` summary.
pub fn session_end_summary(status: Status, end_time_secs: f64) -> Summary {
    plugin_summary(
        SESSION_END_INFO_TAG,
        Data::SessionEndInfo(SessionEndInfo {
            status: status.to_proto() as i32,
            end_time_secs,
        }),
    )
}

/// Decodes the plugin data of an hparams summary's metadata content.
/// TensorBoard rejects any `version` other than 0; so do we.
pub fn decode_plugin_data(content: &[u8]) -> Result<Data, String> {
    let d = HParamsPluginData::decode(content).map_err(|e| {
        // prost's message lists every enclosing field ("ListValue.values:
        // Value.kind: ..."), a hundred deep for nested values; the reason
        // at the end is what a user can act on.
        let e = e.to_string();
        let reason = e.rsplit(": ").next().unwrap_or(&e);
        format!("undecodable hparams data: {reason}")
    })?;
    if d.version != 0 {
        return Err(format!(
            "unsupported hparams plugin data version {}",
            d.version
        ));
    }
    d.data
        .ok_or_else(|| "hparams data with no content".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn null_tensor_bytes() {
        assert_eq!(
            null_tensor().encode_to_vec(),
            [0x08, 0x01, 0x12, 0x02, 0x12, 0x00]
        );
    }

    #[test]
    fn session_start_vector_from_the_spec() {
        // hparams_pb({"lr":0.1,"opt":"adam","bn":True,"units":8},
        // start_time_secs=1700000000.0): same entries (map order free).
        let lr = HParamValue::Float(0.1);
        let opt = HParamValue::Str("adam".into());
        let bn = HParamValue::Bool(true);
        let units = HParamValue::Int(8);
        let hp = [("lr", &lr), ("opt", &opt), ("bn", &bn), ("units", &units)];
        let group = crate::hparams::group_name::group_name(
            hp.iter().map(|(k, v)| (*k, crate::hparams::py_value(v))),
        );
        assert_eq!(
            group,
            "6f04e3a71e1a26c372988ef1234bc5dd31ca5265d1273790dda45163ef5674ea"
        );
        let s = session_start_summary(hp, &group, 1_700_000_000.0);
        let meta = s.value[0].metadata.as_ref().unwrap();
        let content = &meta.plugin_data.as_ref().unwrap().content;
        let decoded = match decode_plugin_data(content).unwrap() {
            Data::SessionStartInfo(s) => s,
            other => panic!("{other:?}"),
        };
        assert_eq!(decoded.group_name, group);
        assert_eq!(decoded.start_time_secs, 1_700_000_000.0);
        assert_eq!(decoded.hparams.len(), 4);
        assert_eq!(content.len(), 3 + 0x89);
        // Each map entry is byte-identical to one of the spec's entries.
        for entry in [
            hex("0a08 0a02626e 1202 2001"),
            hex("0a0d 0a036f7074 1206 1a04 6164616d"),
            hex("0a12 0a05756e697473 1209 11 0000000000002040"),
            hex("0a0f 0a026c72 1209 11 9a9999999999b93f"),
        ] {
            assert!(
                content.windows(entry.len()).any(|w| w == entry.as_slice()),
                "{entry:02x?}"
            );
        }
    }
}
