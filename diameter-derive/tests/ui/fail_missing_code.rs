use diameter_derive::Grouped;

#[derive(Grouped)]
#[diameter(crate = "diameter_runtime")]
struct NoCode {
    #[avp(code = 1)]
    a: u32,
}

fn main() {}
