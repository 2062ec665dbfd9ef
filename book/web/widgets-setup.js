// Loaded before require.js on pages with widgets (nb_ipywidgets_js in _config.yml).
(function () {
  "use strict";

  // 1. Where the widget manager lives. RequireJS names it
  // "@jupyter-widgets/html-manager/dist/embed-amd" and would resolve it - and the fonts
  // webpack loads next to it - against the page's own folder. A global `require`
  // object defined before require.js starts is read as its configuration: map that
  // name to the folder this file is served from, _static/jupyter-widgets/.
  var here = new URL(".", document.currentScript.src).href.replace(/\/$/, "");
  window.require = { paths: { "@jupyter-widgets/html-manager/dist": here } };

  // 2. MathJax 3 for the widgets. The widget manager typesets every widget label with
  // MathJax 2's `MathJax.Hub.Queue(["Typeset", MathJax.Hub, element])`; the book loads
  // MathJax 3, which has no Hub, so each label would throw. Give every object assigned
  // to window.MathJax (Sphinx's configuration first, then MathJax 3 itself) a small Hub
  // whose Queue typesets with MathJax 3 once it is ready.
  function typesetWhenReady(element, triesLeft) {
    var mathjax = window.MathJax;
    if (mathjax && mathjax.typesetPromise && mathjax.startup && mathjax.startup.promise) {
      mathjax.startup.promise
        .then(function () { return mathjax.typesetPromise([element]); })
        .catch(function (error) { console.warn("MathJax could not typeset a widget label", error); });
    } else if (triesLeft > 0) {
      setTimeout(function () { typesetWhenReady(element, triesLeft - 1); }, 100);
    }
  }
  var hub = {
    Queue: function () {
      for (var i = 0; i < arguments.length; i++) {
        var job = arguments[i];
        if (Array.isArray(job) && job[0] === "Typeset" && job[2]) {
          typesetWhenReady(job[2], 300);
        } else if (typeof job === "function") {
          job();
        }
      }
    },
  };
  function withHub(value) {
    if (value && typeof value === "object" && !value.Hub) {
      value.Hub = hub;
    }
    return value;
  }
  var current = withHub(window.MathJax);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    enumerable: true,
    get: function () { return current; },
    set: function (value) { current = withHub(value); },
  });
})();
