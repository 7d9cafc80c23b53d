// A hand-written grouped AVP, enum and command work like generated ones.
use bytes::Bytes;
use diameter_derive::{Command, Enumerated, Grouped};
use diameter_runtime::message::Avp;
use diameter_runtime::typed::{Command as _, FlagOverrides, Identity};
use diameter_runtime::wire::Header;

#[derive(Debug, Clone, Copy, PartialEq, Enumerated)]
#[diameter(crate = "diameter_runtime")]
enum Kind {
    #[avp(value = 0)]
    E164,
    #[avp(value = -1)]
    Minus,
    #[avp(unknown)]
    Unknown(i32),
}

#[derive(Debug, Clone, PartialEq, Grouped)]
#[diameter(code = 443, mandatory, name = "Subscription-Id", crate = "diameter_runtime")]
struct Sub {
    #[avp(code = 450, mandatory)]
    kind: Kind,
    #[avp(code = 444, mandatory)]
    data: String,
}

#[derive(Debug, Clone, PartialEq, Command)]
#[diameter(code = 272, application = 4, request, proxiable, crate = "diameter_runtime")]
struct Ccr {
    #[avp(header)]
    header: Header,
    #[avp(code = 263, mandatory)]
    session_id: String,
    #[avp(code = 264, mandatory)]
    origin_host: Identity,
    #[avp(code = 443, mandatory, max = 2)]
    sub: Vec<Sub>,
    #[avp(code = 7, vendor = 10415)]
    extra: Option<Bytes>,
    #[avp(extra, wildcard)]
    avps: Vec<Avp>,
    #[avp(flags)]
    flags: FlagOverrides,
}

fn main() {
    let mut ccr = Ccr::default();
    ccr.session_id = "s".into();
    ccr.origin_host = "h".into();
    ccr.add_sub(Sub::new(Kind::E164, "1"));
    let bytes = ccr.encode();
    let back = Ccr::decode(bytes.clone()).unwrap();
    assert_eq!(back.encode(), bytes);
    assert_eq!(back.sub[0].kind, Kind::E164);
    assert_eq!(Kind::from(-1), Kind::Minus);
    assert_eq!(Kind::from(5), Kind::Unknown(5));
}
