//! Entry point: parse, run, exit with the code the run earned.

fn main() {
    std::process::exit(druid_bulk::main_entry());
}
