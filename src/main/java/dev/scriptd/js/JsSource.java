package dev.scriptd.js;

/**
 * A program to execute and the key its compiled form is cached under: {@code script:<id>:<version>}
 * for a saved script, {@code sha256:<hex>} for an ad-hoc program.
 */
record JsSource(String key, String scriptId, String name, String program) {
}
