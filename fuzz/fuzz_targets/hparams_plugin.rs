//! hparams plugin data: `decode_plugin_data` never panics, and whatever it
//! accepts survives a round trip through the encoder and converts to our
//! value types without panicking.
#![no_main]

use hp_report::hparams::{default_group_name, HParamValue};
use hp_report::hparams::plugin::decode_plugin_data;
use hp_report::proto::tensorboard::hparams::{h_params_plugin_data::Data, HParamsPluginData};
use libfuzzer_sys::fuzz_target;
use prost::Message;

fuzz_target!(|data: &[u8]| {
    let Ok(d) = decode_plugin_data(data) else {
        return;
    };
    match &d {
        Data::SessionStartInfo(s) => {
            // TensorFlow's group name of these values (canonical JSON,
            // Python float repr) must not panic on any value.
            let values: Vec<(String, HParamValue)> = s
                .hparams
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), HParamValue::from_proto(v)?)))
                .collect();
            let _ = default_group_name(values.iter().map(|(k, v)| (k.as_str(), v)));
        }
        Data::Experiment(e) => {
            for h in &e.hparam_infos {
                let _ = h.r#type;
            }
        }
        Data::SessionEndInfo(_) => {}
    }
    let again = HParamsPluginData {
        version: 0,
        data: Some(d.clone()),
    }
    .encode_to_vec();
    let d2 = decode_plugin_data(&again).expect("re-encoded plugin data decodes");
    // NaN floats make PartialEq fail; compare the encodings instead.
    assert_eq!(
        HParamsPluginData { version: 0, data: Some(d2) }.encode_to_vec(),
        again
    );
});
