use diameter_derive::Grouped;

#[derive(Grouped)]
#[diameter(code = 1, crate = "diameter_runtime")]
struct Tuple(u32);

fn main() {}
