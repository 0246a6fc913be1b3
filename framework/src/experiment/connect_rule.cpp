// A projection's "connect": the rule ("fixed_probability", "fixed_indegree", ...) with its
// parameters and its autapses and multapses, checked against the sizes of pre and post. Each rule
// also gives the expected in-degree K, for the weight's "1/sqrt(K)".
#include "experiment/loader_internal.hpp"
#include "experiment/units.hpp"

namespace ganglion::loading {

namespace {

const std::vector<std::string> rules = {"fixed_probability",  "fixed_indegree", "fixed_outdegree",
                                        "fixed_total_number", "all_to_all",     "one_to_one"};

} // namespace

// The "connect" object being read, and its resolved form being written.
struct Loader::Connect {
  const Json &j;
  std::string pointer;
  Json resolved = Json::object();
};

// Reads the "connect" of projection `j` into `spec` and writes it to `r`; returns the expected
// in-degree K.
double Loader::load_connect(const Json &j, ProjectionSpec &spec, Json &r) const {
  std::string cp = child(spec.pointer, "connect");
  const Json *connect = member(j, "connect");
  if (!connect)
    fail(spec.pointer, "no \"connect\": say how to connect, e.g. \"connect\": {\"rule\": "
                       "\"fixed_probability\", \"p\": 0.1}");
  require_object(*connect, cp, "{\"rule\": \"fixed_probability\", \"p\": 0.1}");
  const Json *rule_json = member(*connect, "rule");
  if (!rule_json) fail(cp, "no \"rule\"; rules: " + join_list(rules));
  std::string rule = get_string(*rule_json, child(cp, "rule"));
  Connect c{*connect, cp};
  c.resolved["rule"] = rule;
  double expected_k = connect_rule(c, rule, spec);
  r["connect"] = std::move(c.resolved);
  return expected_k;
}

// The rule's own keys; returns the expected in-degree K.
double Loader::connect_rule(Connect &c, const std::string &rule, ProjectionSpec &spec) const {
  const PopulationSpec &pre = ex_.populations[size_t(spec.pre)];
  const PopulationSpec &post = ex_.populations[size_t(spec.post)];
  if (rule == "fixed_probability") return fixed_probability(c, spec);
  if (rule == "fixed_indegree") return fixed_degree(c, spec, true);
  if (rule == "fixed_outdegree") return fixed_degree(c, spec, false);
  if (rule == "fixed_total_number") return fixed_total_number(c, spec);
  if (rule == "all_to_all") {
    check_keys(c.j, c.pointer, {"rule", "autapses"});
    spec.rule = ConnectRule::AllToAll;
    connect_flag(c, "autapses", spec.allow_autapses);
    return double(pre.size);
  }
  if (rule == "one_to_one") {
    check_keys(c.j, c.pointer, {"rule"});
    spec.rule = ConnectRule::OneToOne;
    if (pre.size != post.size)
      fail(c.pointer, "one_to_one needs populations of equal size, but '" + pre.name + "' has " +
                          std::to_string(pre.size) + " neurons and '" + post.name + "' has " +
                          std::to_string(post.size));
    return 1;
  }
  fail(child(c.pointer, "rule"), "unknown rule '" + clipped(rule) + "'" +
                                     did_you_mean(rule, rules) + "; rules: " + join_list(rules));
}

// "autapses" or "multapses": true or false, the spec's default where not given.
void Loader::connect_flag(Connect &c, const char *key, bool &flag) const {
  if (const Json *given = member(c.j, key)) flag = get_bool(*given, child(c.pointer, key));
  c.resolved[key] = flag;
}

// A count of a rule ("indegree": 100); `example` says what to give when it is missing.
uint64_t Loader::connect_count(Connect &c, const char *key, const std::string &example) const {
  const Json *given = member(c.j, key);
  if (!given) fail(c.pointer, std::string("no \"") + key + "\": " + example);
  uint64_t n = get_count(*given, child(c.pointer, key), "a non-negative integer");
  c.resolved[key] = n;
  return n;
}

// Without multapses, `wanted` synapses need as many distinct candidates (`noun`, offered by
// `owner`); even with multapses, a positive count needs one (a one-neuron population connected
// to itself without autapses has none).
void Loader::check_possible(const Connect &c, const ProjectionSpec &spec, const char *key,
                            uint64_t wanted, uint64_t candidates, const std::string &what,
                            const std::string &noun, const std::string &owner) const {
  if (wanted == 0) return;
  if (!spec.allow_multapses && wanted > candidates)
    fail(child(c.pointer, key), what + " without multapses needs " + std::to_string(wanted) +
                                    " distinct " + noun + ", but " + owner + " offers " +
                                    std::to_string(candidates) +
                                    "; lower it or set \"multapses\": true");
  if (candidates == 0)
    fail(child(c.pointer, key), what + " needs " + noun + " to choose from, but " + owner +
                                    " offers none (autapses are off); lower it to 0 or set "
                                    "\"autapses\": true");
}

double Loader::fixed_probability(Connect &c, ProjectionSpec &spec) const {
  check_keys(c.j, c.pointer, {"rule", "p", "autapses"});
  spec.rule = ConnectRule::FixedProbability;
  const Json *p = member(c.j, "p");
  if (!p) fail(c.pointer, "no \"p\": give the connection probability, e.g. \"p\": 0.1");
  spec.p = convert_value(*p, "1", where(child(c.pointer, "p")));
  if (!(spec.p >= 0 && spec.p <= 1))
    fail(child(c.pointer, "p"), format_number(spec.p) + " is out of range [0, 1]");
  c.resolved["p"] = spec.p;
  connect_flag(c, "autapses", spec.allow_autapses);
  return spec.p * double(ex_.populations[size_t(spec.pre)].size);
}

// The keys of a rule fixed by a count, `key`: the count, multapses and autapses.
uint64_t Loader::fixed_count(Connect &c, ProjectionSpec &spec, const char *key,
                             const std::string &example) const {
  check_keys(c.j, c.pointer, {"rule", key, "multapses", "autapses"});
  uint64_t n = connect_count(c, key, example);
  connect_flag(c, "multapses", spec.allow_multapses);
  connect_flag(c, "autapses", spec.allow_autapses);
  return n;
}

// fixed_indegree (`in`): each postsynaptic neuron draws its inputs from pre; fixed_outdegree:
// each presynaptic neuron draws its targets from post.
double Loader::fixed_degree(Connect &c, ProjectionSpec &spec, bool in) const {
  const PopulationSpec &pre = ex_.populations[size_t(spec.pre)];
  const PopulationSpec &post = ex_.populations[size_t(spec.post)];
  const PopulationSpec &drawn_from = in ? pre : post;
  const char *key = in ? "indegree" : "outdegree";
  spec.rule = in ? ConnectRule::FixedIndegree : ConnectRule::FixedOutdegree;
  uint64_t degree = fixed_count(c, spec, key,
                                in ? "give the inputs per neuron, e.g. \"indegree\": 100"
                                   : "give the targets per neuron, e.g. \"outdegree\": 100");
  (in ? spec.indegree : spec.outdegree) = degree;
  uint64_t candidates = drawn_from.size - (spec.pre == spec.post && !spec.allow_autapses ? 1 : 0);
  check_possible(c, spec, key, degree, candidates,
                 (in ? "an in-degree of " : "an out-degree of ") + std::to_string(degree),
                 in ? "presynaptic neurons" : "postsynaptic neurons", "'" + drawn_from.name + "'");
  return in ? double(degree) : double(degree) * double(pre.size) / double(post.size);
}

double Loader::fixed_total_number(Connect &c, ProjectionSpec &spec) const {
  const PopulationSpec &pre = ex_.populations[size_t(spec.pre)];
  const PopulationSpec &post = ex_.populations[size_t(spec.post)];
  spec.rule = ConnectRule::FixedTotalNumber;
  spec.total = fixed_count(c, spec, "total", "give the number of synapses, e.g. \"total\": 10000");
  bool same = spec.pre == spec.post;
  uint64_t candidates = pre.size * post.size - (same && !spec.allow_autapses ? pre.size : 0);
  check_possible(c, spec, "total", spec.total, candidates,
                 "a total of " + std::to_string(spec.total) + " synapses", "(pre, post) pairs",
                 pre.name + "->" + post.name);
  return double(spec.total) / double(post.size);
}

} // namespace ganglion::loading
