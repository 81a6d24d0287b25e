//! Zero-copy event decoding against prost: `EventView::parse`,
//! `summary_values` and `ValueView::scalar` never panic, and wherever both
//! our view and prost decode the bytes they agree on wall time, step, the
//! kind of payload, each value's tag and its scalar.
#![no_main]

use hp_report::event::view::{summary_values, EventView, Payload, ValueKind};
use hp_report::proto::tensorboard::{event, summary, Event, Summary};
use hp_report::summary::scalar_of;
use libfuzzer_sys::fuzz_target;
use prost::Message;

fn same(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
        (None, None) => true,
        _ => false,
    }
}

fn check_summary(bytes: &[u8]) {
    let views: Vec<_> = summary_values(bytes).collect();
    for v in views.iter().flatten() {
        let _ = v.scalar();
        let _ = v.effective_tag();
    }
    let Ok(decoded) = Summary::decode(bytes) else {
        return;
    };
    let Ok(views) = views.into_iter().collect::<Result<Vec<_>, _>>() else {
        return;
    };
    assert_eq!(views.len(), decoded.value.len(), "value count");
    for (v, p) in views.iter().zip(&decoded.value) {
        assert_eq!(v.tag, p.tag.as_bytes(), "tag");
        assert_eq!(v.node_name, p.node_name.as_bytes(), "node_name");
        match (&v.kind, &p.value) {
            (ValueKind::SimpleValue(x), Some(summary::value::Value::SimpleValue(y))) => {
                assert_eq!(x.to_bits(), y.to_bits())
            }
            (ValueKind::Tensor(_), Some(summary::value::Value::Tensor(_))) => {}
            (ValueKind::Other, Some(_)) => {}
            (ValueKind::None, None) => {}
            (a, b) => panic!("value kind differs: {a:?} vs {b:?}"),
        }
        assert!(
            same(v.scalar(), scalar_of(p)),
            "scalar differs: {:?} vs {:?}",
            v.scalar(),
            scalar_of(p)
        );
    }
}

fuzz_target!(|data: &[u8]| {
    // The bytes as an event.
    let view = EventView::parse(data);
    if let Ok(v) = &view {
        if let Payload::Summary(s) = v.payload {
            check_summary(s);
        }
    }
    if let (Ok(v), Ok(e)) = (view, Event::decode(data)) {
        assert_eq!(v.wall_time.to_bits(), e.wall_time.to_bits(), "wall_time");
        assert_eq!(v.step, e.step, "step");
        match (v.payload, &e.what) {
            (Payload::FileVersion(a), Some(event::What::FileVersion(b))) => {
                assert_eq!(a, b.as_bytes())
            }
            (Payload::Summary(_), Some(event::What::Summary(_))) => {}
            (Payload::SessionLog(a), Some(event::What::SessionLog(b))) => {
                assert_eq!(a, b.status)
            }
            (Payload::Other, None | Some(_)) => {}
            (a, b) => panic!("payload differs: {a:?} vs {b:?}"),
        }
    }
    // The bytes as a summary on their own.
    check_summary(data);
});
