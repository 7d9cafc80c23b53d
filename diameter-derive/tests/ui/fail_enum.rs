use diameter_derive::Enumerated;

#[derive(Clone, Copy, Enumerated)]
#[diameter(crate = "diameter_runtime")]
enum NoUnknown {
    #[avp(value = 1)]
    A,
    #[avp(value = 1)]
    B,
    C,
}

fn main() {}
