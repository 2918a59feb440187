package io.streamrec.evaluation.report;

import java.util.List;
import java.util.Locale;

/**
 * A small line chart as standalone SVG text: shared x values, one polyline per series, axes with
 * ticks, a title and a legend. Enough for a curve of prequential HR@10 over time; no dependencies.
 */
public final class SvgPlot {

    private static final int WIDTH = 760;
    private static final int HEIGHT = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final String[] COLORS = {"#d62728", "#1f77b4", "#7f7f7f", "#2ca02c", "#9467bd"};

    private SvgPlot() {}

    /** One named line; {@code y} has one value per x value. */
    public record Series(String name, double[] y) {}

    public static String lines(String title, String xLabel, String yLabel, double[] x, List<Series> series) {
        double xMin = x.length == 0 ? 0 : x[0];
        double xMax = x.length == 0 ? 1 : x[x.length - 1];
        if (xMax <= xMin) {
            xMax = xMin + 1;
        }
        double yMax = 0;
        for (Series s : series) {
            for (double v : s.y()) {
                if (Double.isFinite(v)) {
                    yMax = Math.max(yMax, v);
                }
            }
        }
        yMax = niceCeiling(yMax <= 0 ? 1 : yMax * 1.1);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"28\" font-size=\"15\" text-anchor=\"middle\">%s</text>%n",
                WIDTH / 2, escape(title)));
        // grid and y ticks
        for (int t = 0; t <= 5; t++) {
            double v = yMax * t / 5;
            double py = TOP + plotH - plotH * t / 5.0;
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>%n", LEFT, py, LEFT + plotW, py));
            svg.append(String.format(Locale.ROOT,
                    "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 6, py + 4, format(v)));
        }
        // x ticks
        for (int t = 0; t <= 5; t++) {
            double v = xMin + (xMax - xMin) * t / 5;
            double px = LEFT + plotW * t / 5.0;
            svg.append(String.format(Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, TOP + plotH + 18, format(v)));
        }
        svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", LEFT, TOP + plotH, LEFT + plotW, TOP + plotH));
        svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", LEFT, TOP, LEFT, TOP + plotH));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                LEFT + plotW / 2, HEIGHT - 15, escape(xLabel)));
        svg.append(String.format(Locale.ROOT,
                "<text x=\"18\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 18 %d)\">%s</text>%n",
                TOP + plotH / 2, TOP + plotH / 2, escape(yLabel)));
        for (int s = 0; s < series.size(); s++) {
            String color = COLORS[s % COLORS.length];
            StringBuilder points = new StringBuilder();
            double[] y = series.get(s).y();
            for (int i = 0; i < Math.min(x.length, y.length); i++) {
                if (!Double.isFinite(y[i])) {
                    continue;
                }
                double px = LEFT + plotW * (x[i] - xMin) / (xMax - xMin);
                double py = TOP + plotH - plotH * y[i] / yMax;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            }
            svg.append(String.format(Locale.ROOT,
                    "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n", color, points.toString().trim()));
            int ly = TOP + 8 + 18 * s;
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    LEFT + 12, ly, LEFT + 36, ly, color));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n",
                    LEFT + 42, ly + 4, escape(series.get(s).name())));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    static double niceCeiling(double v) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= v) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String format(double v) {
        if (Math.abs(v) >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.0f" : "%.2f", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
