// Vite's ambient types, for `?url` asset imports (the zxing-wasm binary) and import.meta.
/// <reference types="vite/client" />
