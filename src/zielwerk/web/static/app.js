// Zielwerk: renders the Vega-Lite charts whose specs the server embedded as inert JSON.
// No inline scripts (CSP); the Vega bundle is loaded on demand from this server.
(function () {
  "use strict";
  var DE_FORMAT = { decimal: ",", thousands: ".", grouping: [3], currency: ["", " €"] };
  var DE_TIME = {
    dateTime: "%A, der %e. %B %Y, %X", date: "%d.%m.%Y", time: "%H:%M:%S",
    periods: ["AM", "PM"],
    days: ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
    shortDays: ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
    months: ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
             "Oktober", "November", "Dezember"],
    shortMonths: ["Jan", "Feb", "Mrz", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"]
  };
  var loading = null;

  function loadVega() {
    if (window.vegaEmbed) return Promise.resolve();
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = "/static/vega-bundle.js";
        s.onload = resolve;
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    return loading;
  }

  function renderCharts(root) {
    var charts = (root || document).querySelectorAll("div.chart[data-spec]:not([data-rendered])");
    if (!charts.length) return;
    loadVega().then(function () {
      charts.forEach(function (el) {
        var specEl = document.getElementById(el.getAttribute("data-spec"));
        if (!specEl) return;
        var spec = JSON.parse(specEl.textContent);
        el.setAttribute("data-rendered", "pending");
        window.vegaEmbed(el, spec, {
          actions: false, renderer: "svg", formatLocale: DE_FORMAT, timeFormatLocale: DE_TIME
        }).then(function () {
          el.setAttribute("data-rendered", "ok");
        }).catch(function (err) {
          el.setAttribute("data-rendered", "error");
          el.textContent = "Die Grafik konnte nicht dargestellt werden: " + err;
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { renderCharts(document); });
  document.addEventListener("htmx:afterSwap", function (e) { renderCharts(e.target); });
})();
