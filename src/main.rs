//! Entry point: parse, run, exit with the code the run earned.

fn main() -> std::process::ExitCode {
    druid_bulk::main()
}
