//! Protobuf messages of the tfevents format and the hparams plugin.
//!
//! The `.proto` sources live in `proto/` at the crate root; the Rust code in
//! `gen/` is generated from them with prost and checked in, so building needs
//! no `protoc`. The `proto_codegen` integration test regenerates it with the
//! pure-Rust `protox` compiler and fails when it is stale.
#![allow(missing_docs, clippy::all, rustdoc::all)]

/// `tensorboard.*`: `Event`, `Summary`, `SummaryMetadata`, `TensorProto`.
pub mod tensorboard {
    include!("gen/tensorboard.rs");

    /// `tensorboard.hparams.*`: the hparams plugin's payloads.
    pub mod hparams {
        include!("gen/tensorboard.hparams.rs");
    }
}

/// `google.protobuf.*`: `Value`, `ListValue`, `Struct`.
pub mod google {
    /// The well-known JSON-like types used by hparams values and domains.
    pub mod protobuf {
        include!("gen/google.protobuf.rs");
    }
}
