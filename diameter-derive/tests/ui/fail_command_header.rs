use diameter_derive::Command;

#[derive(Command)]
#[diameter(code = 272, crate = "diameter_runtime")]
struct NoHeader {
    #[avp(code = 263, mandatory)]
    session_id: String,
}

fn main() {}
