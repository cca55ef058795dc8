# Sourced by make_bench_artifacts.sh and make_decode_artifacts.sh.
#
# compile_attention S2COMPILE DIR PATTERN QTYPE KVTYPE [S2COMPILE FLAGS...]
# compiles one s2attn.attention with queries/outputs of QTYPE and keys/values
# of KVTYPE (static memrefs) into the artifact directory DIR.
compile_attention() {
  local s2compile=$1 dir=$2 pattern=$3 q=$4 kv=$5
  shift 5
  local src="$dir.mlir"
  cat > "$src" <<MLIR
func.func @s2attn_main(%q: $q, %k: $kv, %v: $kv, %o: $q) {
  s2attn.attention ins(%q, %k, %v : $q, $kv, $kv) outs(%o : $q) pattern = $pattern
  return
}
MLIR
  "$s2compile" "$src" -o "$dir" "$@" > /dev/null
  rm "$src"
}
