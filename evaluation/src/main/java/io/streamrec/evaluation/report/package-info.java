/**
 * The results of a run: the JSON nodes and console table, and the files ({@code results.json},
 * {@code results.md}, an SVG plot drawn without extra dependencies).
 */
package io.streamrec.evaluation.report;
