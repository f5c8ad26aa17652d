// Starts YASGUI against this server's endpoint. No request leaves this server: the prefix.cc and LOV
// lookups are replaced by completions of the project's own prefixes, classes and properties.
(function () {
  var el = document.getElementById("yasgui");
  if (!el || !window.Yasgui) return;
  var Yasqe = window.Yasgui.Yasqe;
  var terms = fetch(el.dataset.completions).then(function (r) { return r.json(); });
  Yasqe.forkAutocompleter("prefixes", { name: "kg-prefixes", get: function () { return terms.then(function (d) { return d.prefixes; }); } }, false);
  Yasqe.forkAutocompleter("class", { name: "kg-class", bulk: true, get: function () { return terms.then(function (d) { return d.classes; }); } }, false);
  Yasqe.forkAutocompleter("property", { name: "kg-property", bulk: true, get: function () { return terms.then(function (d) { return d.properties; }); } }, false);
  Yasqe.defaults.autocompleters = ["variables", "kg-prefixes", "kg-class", "kg-property"];
  var yasgui = new window.Yasgui(el, {
    requestConfig: { endpoint: el.dataset.endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: el.dataset.endpoint }]; } },
    yasqe: { prefixCcApi: null },
  });
  var first = document.querySelector("pre[id^=example-]");
  if (first && !yasgui.getTab().getQuery().trim().replace(/^PREFIX.*$/gm, "").trim().length) yasgui.getTab().setQuery(first.textContent);
  document.querySelectorAll("button.use-example").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      yasgui.getTab().setQuery(document.getElementById(button.dataset.example).textContent);
      el.scrollIntoView();
    });
  });
  // The editor's own text areas have no label; give them one (screen readers, WCAG 2 "label").
  document.querySelectorAll("#yasgui textarea").forEach(function (area) {
    if (!area.getAttribute("aria-label")) area.setAttribute("aria-label", el.dataset.label || "SPARQL");
  });
  document.querySelectorAll("#yasgui input:not([type=hidden])").forEach(function (input) {
    if (!input.getAttribute("aria-label") && !input.labels.length) input.setAttribute("aria-label", "SPARQL endpoint");
  });
  window.kuntagraphYasgui = yasgui;
})();
