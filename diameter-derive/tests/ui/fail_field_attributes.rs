// Every mistake is reported in one compilation, at the field it is about.
use diameter_derive::Grouped;

#[derive(Grouped)]
#[diameter(code = 1, crate = "diameter_runtime")]
struct Bad {
    no_attribute: u32,
    #[avp(code = 2, colour = "red")]
    unknown_key: u32,
    #[avp(code = 3, max = 2)]
    max_on_single: Option<u32>,
    #[avp(code = 4)]
    first: u32,
    #[avp(code = 4)]
    same_code: u32,
    #[avp(extra, flags)]
    two_roles: Vec<u8>,
}

fn main() {}
