//! The Rust code in `src/proto/gen/` is generated from `proto/` and checked in,
//! so that building hp-report needs no `protoc` and no build script. This test
//! regenerates it with the pure-Rust `protox` compiler and fails if the
//! checked-in files are stale. To refresh them after editing a `.proto` file:
//!
//! ```sh
//! HP_REPORT_REGEN_PROTOS=1 cargo test --test integration proto_codegen
//! ```

use std::path::Path;

const PROTOS: &[&str] = &[
    "google/protobuf/struct.proto",
    "tensorboard/tensor.proto",
    "tensorboard/summary.proto",
    "tensorboard/event.proto",
    "tensorboard/hparams.proto",
];

#[test]
fn generated_code_is_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fds = protox::compile(PROTOS, [root.join("proto")]).expect("proto/ compiles");
    let out = tempfile::tempdir().expect("tempdir");
    prost_build::Config::new()
        .compile_well_known_types()
        .btree_map(["."])
        .out_dir(out.path())
        .compile_fds(fds)
        .expect("prost-build generates code");

    let gen_dir = root.join("src/proto/gen");
    let regen = std::env::var_os("HP_REPORT_REGEN_PROTOS").is_some();
    let mut names: Vec<_> = std::fs::read_dir(out.path())
        .expect("read out dir")
        .map(|e| e.expect("dir entry").file_name())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    let mut stale = Vec::new();
    for name in names {
        let fresh = std::fs::read_to_string(out.path().join(&name)).expect("read generated");
        let path = gen_dir.join(&name);
        if regen {
            std::fs::write(&path, &fresh).expect("write generated");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(fresh.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated protobuf code: {stale:?}; run HP_REPORT_REGEN_PROTOS=1 cargo test --test integration proto_codegen"
    );
}
