# Sourced by the benchmarks: sets $vcd to the binary to measure, $VCD_BIN if
# given, else a release build of this checkout (CARGO_TARGET_DIR as .ci/run has it).
if [ -n "${VCD_BIN:-}" ]; then
    vcd="$VCD_BIN"
else
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vcd/target}"
    cargo build --release --quiet
    vcd="$CARGO_TARGET_DIR/release/vcd"
fi
