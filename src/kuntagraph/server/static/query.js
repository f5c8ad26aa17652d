// Starts YASGUI against this server's endpoint. No external requests: prefix.cc and LOV lookups are off.
(function () {
  var el = document.getElementById("yasgui");
  if (!el || !window.Yasgui) return;
  new Yasgui(el, {
    requestConfig: { endpoint: el.dataset.endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: el.dataset.endpoint }]; } },
  });
})();
