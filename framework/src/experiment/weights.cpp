// A projection's "weight": a constant, {"value": v}, or a distribution {"normal" | "uniform" |
// "lognormal": [a, b]}, each with an optional "scale" that multiplies all its parameters, in the
// unit of the synapse's weight convention. A projection keeps one sign: the mean's (a lognormal
// with a negative mean draws magnitudes of mean |mean| and makes them negative).
#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "experiment/loader_internal.hpp"
#include "experiment/units.hpp"

namespace ganglion::loading {

// The weight as given, before scaling.
struct Loader::Weight {
  std::string form = "value"; // "value", "uniform", "normal" or "lognormal"
  double a = 0, b = 0;        // the value, or the distribution's two parameters
  std::string scale = "none";
  double n = 0; // the N of "1/sqrt(N)"
};

// The unit of the projection's weights: the synapse's weight_unit, or, NEST's convention, its
// peak_weight_unit where a "convention" choice set to "peak" makes the weight the jump itself.
std::string Loader::weight_unit(const Json &j, ProjectionSpec &spec) const {
  const gg_descriptor *sd = spec.synapse->desc;
  std::string unit = sd->weight_unit ? sd->weight_unit : "1";
  for (uint32_t f = 0; f < sd->n_fields; ++f) {
    const gg_field &field = sd->fields[f];
    if (field.type != GG_TYPE_CHOICE || std::string(field.name) != "convention") continue;
    auto words = split_choices(field.choices);
    size_t index = size_t(spec.values[f].a);
    if (index >= words.size() || words[index] != "peak") continue;
    spec.peak_convention = true;
    if (!sd->peak_weight_unit) {
      const Json *params = member(j, "params");
      bool given = params && params->is_object() && params->contains("convention");
      std::vector<std::string> others;
      for (const auto &w : words)
        if (w != "peak") others.push_back(w);
      fail(given ? child(child(spec.pointer, "params"), "convention") : spec.pointer,
           "plugin '" + spec.synapse->name + "' (" + spec.synapse->path +
               ") offers \"convention\": \"peak\" but declares no peak_weight_unit, so the "
               "weight's unit is unknown; this is a bug in the plugin (set peak_weight_unit in "
               "its descriptor)" +
               (others.empty() ? std::string()
                               : "; meanwhile use \"convention\": \"" + others.front() + "\""));
    }
    unit = sd->peak_weight_unit;
  }
  return unit;
}

// Reads the "weight" of projection `j` (in `unit`) into `spec` and writes it to `r`.
// `expected_k` is the K of "1/sqrt(K)", `recurrent_n` the default N of "1/sqrt(N)".
void Loader::load_weight(const Json &j, ProjectionSpec &spec, const std::string &unit,
                         double expected_k, uint64_t recurrent_n, Json &r) const {
  std::string wp = child(spec.pointer, "weight");
  const Json *weight = member(j, "weight");
  if (!weight)
    fail(spec.pointer, "no \"weight\": give one, e.g. \"weight\": 0.5 or \"weight\": {\"value\": "
                       "25, \"scale\": \"1/sqrt(N)\"}");
  Weight w;
  w.n = double(recurrent_n);
  if (weight->is_object()) {
    weight_form(*weight, wp, unit, w);
    check_weight_draws(child(wp, w.form), unit, w);
    weight_scale(*weight, wp, expected_k, w, spec);
  } else {
    w.a = weight_value(*weight, wp, unit);
  }

  check_weight_fits(weight->is_object() ? child(wp, w.form) : wp, unit, w, spec.weight_scale);
  double s = spec.weight_scale;
  if (w.form == "value") {
    spec.weight = w.a * s;
    spec.weight_dist = make_spec(ValueSpec::Kind::Constant, spec.weight);
  } else {
    auto kind = w.form == "uniform"  ? ValueSpec::Kind::Uniform
                : w.form == "normal" ? ValueSpec::Kind::Normal
                                     : ValueSpec::Kind::LogNormal;
    spec.weight_dist = make_spec(kind, w.a * s, w.b * s);
    spec.weight = w.form == "uniform" ? (w.a * s + w.b * s) / 2 : w.a * s;
  }
  Json rw = Json::object();
  if (w.form == "value")
    rw["value"] = value_json(w.a, unit);
  else
    rw[w.form] = Json::array({value_json(w.a, unit), value_json(w.b, unit)});
  rw["scale"] = w.scale;
  // The N used, written out, so the resolved experiment scales the same if populations change.
  if (w.scale == "1/sqrt(N)") rw["N"] = w.n;
  r["weight"] = std::move(rw);
}

// One weight value in `unit`: finite.
double Loader::weight_value(const Json &v, const std::string &pointer,
                            const std::string &unit) const {
  double weight = convert_value(v, unit, where(pointer), "the weight");
  if (!std::isfinite(weight)) fail(pointer, "the weight must be finite");
  return weight;
}

// Which of "value", "normal", "uniform" or "lognormal" the weight object gives, and its values.
void Loader::weight_form(const Json &weight, const std::string &pointer, const std::string &unit,
                         Weight &w) const {
  const std::vector<std::string> forms = {"value", "normal", "uniform", "lognormal"};
  check_keys(weight, pointer, {"value", "normal", "uniform", "lognormal", "scale", "N"});
  std::vector<std::string> given;
  for (const auto &f : forms)
    if (weight.contains(f)) given.push_back(f);
  if (given.empty())
    fail(pointer, "no \"value\": give the unscaled weight, e.g. {\"value\": 25, \"scale\": "
                  "\"1/sqrt(N)\"}, or a distribution: {\"normal\": [mean, std]}, {\"uniform\": "
                  "[lo, hi]} or {\"lognormal\": [mean, std]}");
  if (given.size() > 1)
    fail(pointer, "give one of \"value\", \"normal\", \"uniform\" or \"lognormal\", not both '" +
                      given[0] + "' and '" + given[1] + "'");
  w.form = given[0];
  std::string fp = child(pointer, w.form);
  if (w.form == "value") {
    w.a = weight_value(weight.at(w.form), fp, unit);
    return;
  }
  std::tie(w.a, w.b) =
      pair_of(weight.at(w.form), unit, "the weight", fp,
              w.form == "uniform" ? "[\"0.5 mV\", \"1.5 mV\"]" : "[\"1 mV\", \"0.2 mV\"]");
  if (!std::isfinite(w.a)) fail(child(fp, 0), "the weight must be finite");
  if (!std::isfinite(w.b))
    fail(child(fp, 1), w.form == "uniform" ? "the weight must be finite"
                                           : "the standard deviation must be finite");
}

// A distribution of weights (at `pointer`) must draw weights of one sign.
void Loader::check_weight_draws(const std::string &pointer, const std::string &unit,
                                const Weight &w) const {
  if (w.form == "uniform") {
    if (w.a > w.b)
      fail(pointer, "the low end " + format_value(w.a, unit) + " is above the high end " +
                        format_value(w.b, unit));
    if (w.a < 0 && w.b > 0)
      fail(pointer, "the ends " + format_value(w.a, unit) + " and " + format_value(w.b, unit) +
                        " have different signs, but a projection keeps one sign: use [" +
                        format_value(0, unit) + ", " + format_value(w.b, unit) + "] or [" +
                        format_value(w.a, unit) + ", " + format_value(0, unit) +
                        "], or two projections");
  } else if (w.form == "normal" || w.form == "lognormal") {
    check_std(w.b, unit, child(pointer, 1));
    if (w.form == "lognormal" && w.a == 0)
      fail(child(pointer, 0),
           "the mean of a lognormal weight must not be 0: the magnitudes are drawn with mean "
           "|mean| and the given standard deviation, and the mean's sign is the weight's "
           "(negative: inhibitory)");
    if (w.form == "normal" && w.a == 0 && w.b > 0)
      fail(child(pointer, 0), "the mean of a normal weight must not be 0: its sign is the "
                              "projection's sign (draws of the other sign are drawn again)");
  }
}

// The engine stores weights as 32-bit floats: the value (scaled), a uniform's ends, or a normal's
// or lognormal's mean and 8 standard deviations beyond it (draws further out are rarer than one
// in 10^15) must fit, or they would become infinite.
void Loader::check_weight_fits(const std::string &pointer, const std::string &unit, const Weight &w,
                               double scale) const {
  const double largest = double(std::numeric_limits<float>::max());
  const bool spread = w.form == "normal" || w.form == "lognormal";
  std::string place = pointer, what = format_value(w.a, unit);
  double reach = std::abs(w.a);
  if (spread) {
    reach = std::abs(w.a) + 8 * w.b;
    what = "the mean plus 8 standard deviations (" + format_value(reach, unit) + ")";
  } else if (w.form == "uniform" && std::abs(w.b) > std::abs(w.a)) {
    reach = std::abs(w.b);
    place = child(pointer, 1);
    what = format_value(w.b, unit);
  } else if (w.form == "uniform") {
    place = child(pointer, 0);
  }
  if (reach * scale <= largest) return;
  fail(place, what + " does not fit a synapse's weight, a 32-bit float: the largest magnitude is " +
                  format_value(largest / scale, unit) +
                  (scale == 1 ? "" : " before the scale " + w.scale));
}

// The weight's "scale" ("none", "1/sqrt(N)" with an optional "N", "1/sqrt(K)"): sets
// spec.weight_scale.
void Loader::weight_scale(const Json &weight, const std::string &pointer, double expected_k,
                          Weight &w, ProjectionSpec &spec) const {
  if (const Json *s = member(weight, "scale")) w.scale = get_string(*s, child(pointer, "scale"));
  const std::vector<std::string> scales = {"none", "1/sqrt(N)", "1/sqrt(K)"};
  if (std::find(scales.begin(), scales.end(), w.scale) == scales.end())
    fail(child(pointer, "scale"), "unknown scale '" + clipped(w.scale) + "'" +
                                      did_you_mean(w.scale, scales) +
                                      "; use one of: " + join_list(scales));
  if (const Json *given_n = member(weight, "N")) {
    if (w.scale != "1/sqrt(N)")
      fail(child(pointer, "N"), "\"N\" is only used with \"scale\": \"1/sqrt(N)\"");
    w.n = convert_value(*given_n, "1", where(child(pointer, "N")));
    if (!(w.n > 0) || !std::isfinite(w.n))
      fail(child(pointer, "N"), "N must be positive, got " + format_number(w.n));
  }
  if (w.scale == "1/sqrt(N)") {
    spec.weight_scale = 1 / std::sqrt(w.n);
  } else if (w.scale == "1/sqrt(K)") {
    if (!(expected_k > 0))
      fail(child(pointer, "scale"), "1/sqrt(K) needs an expected in-degree K > 0, and this "
                                    "projection's is " +
                                        format_number(expected_k));
    spec.weight_scale = 1 / std::sqrt(expected_k);
  }
}

} // namespace ganglion::loading
