/**
 * Data sets and how they are cut: loading ({@code movielens:}, {@code json:}, {@code generated:}),
 * the seeded stratified split, and the timeline that places repeated passes over a history within
 * the event times the job accepts.
 */
package io.streamrec.evaluation.data;
