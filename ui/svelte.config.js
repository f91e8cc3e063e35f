// Runes mode everywhere: a component that slips back into legacy syntax fails to compile.
export default {
  compilerOptions: { runes: true },
};
