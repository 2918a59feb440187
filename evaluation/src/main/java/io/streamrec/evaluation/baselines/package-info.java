/** What the model is compared with: all-time and time-decayed most popular items, random items. */
package io.streamrec.evaluation.baselines;
