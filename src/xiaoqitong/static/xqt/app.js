/* 校企通: small page helpers. Every page works without this file; it only adds comfort. */
(function () {
  "use strict";

  /* Highlight the menu entry of the current page (the longest menu URL that the path starts with). */
  function markActiveMenu() {
    var path = window.location.pathname;
    var best = null;
    var bestLength = 0;
    document.querySelectorAll("#xqt-nav .dropdown-item[href]").forEach(function (link) {
      var href = link.getAttribute("href");
      if (href && href !== "/" && path.indexOf(href) === 0 && href.length > bestLength) {
        best = link;
        bestLength = href.length;
      }
    });
    document.querySelectorAll("#xqt-nav .active").forEach(function (el) {
      if (!el.closest(".xqt-language-form")) {
        el.classList.remove("active");
        el.removeAttribute("aria-current");
      }
    });
    if (best) {
      best.classList.add("active");
      best.setAttribute("aria-current", "page");
      var toggle = best.closest(".dropdown") && best.closest(".dropdown").querySelector(".nav-link");
      if (toggle) {
        toggle.classList.add("active");
      }
    }
  }

  /* Charts: <div class="xqt-chart" data-xqt-chart="options-id"></div> with the ECharts option in
     {{ option|json_script:"options-id" }}; the page loads vendor/echarts/echarts.min.js in extra_js. */
  var charts = [];

  function initCharts(root) {
    if (!window.echarts) {
      return;
    }
    root.querySelectorAll("[data-xqt-chart]").forEach(function (el) {
      if (el.dataset.xqtChartReady) {
        return;
      }
      var source = document.getElementById(el.dataset.xqtChart);
      if (!source) {
        return;
      }
      var chart = window.echarts.init(el, null, { renderer: el.dataset.xqtRenderer || "canvas" });
      chart.setOption(JSON.parse(source.textContent));
      el.dataset.xqtChartReady = "1";
      charts.push(chart);
    });
  }

  function resizeCharts() {
    charts = charts.filter(function (chart) {
      if (chart.isDisposed() || !document.body.contains(chart.getDom())) {
        if (!chart.isDisposed()) {
          chart.dispose();
        }
        return false;
      }
      chart.resize();
      return true;
    });
  }

  window.addEventListener("resize", resizeCharts);
  window.addEventListener("beforeprint", resizeCharts);

  /* An htmx request that failed (server error, no network): say so instead of doing nothing. */
  function showRequestError() {
    var text = document.body.dataset.xqtErrorText || "Request failed.";
    var box = document.querySelector(".xqt-messages");
    if (!box) {
      box = document.createElement("div");
      box.className = "xqt-messages";
      var main = document.getElementById("main");
      main.insertBefore(box, main.firstChild);
    }
    if (box.querySelector(".xqt-request-error")) {
      return;
    }
    var alert = document.createElement("div");
    alert.className = "alert alert-danger alert-dismissible fade show xqt-request-error";
    alert.setAttribute("role", "alert");
    alert.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", "×");
    alert.appendChild(close);
    box.appendChild(alert);
  }

  /* django-filter names the two ends of a date range <name>_after and <name>_before: give them the
     browser's date picker (the value stays YYYY-MM-DD, which the filter reads). */
  function enhanceDateFilters(root) {
    root.querySelectorAll(".xqt-filter input[type=text]").forEach(function (input) {
      if (/_(after|before)$/.test(input.name) && (!input.value || /^\d{4}-\d{2}-\d{2}$/.test(input.value))) {
        input.type = "date";
      }
    });
  }

  /* Demo mode: a click on a demo account fills the login form. */
  function bindDemoAccounts(root) {
    root.querySelectorAll("[data-xqt-demo-user]").forEach(function (button) {
      button.addEventListener("click", function () {
        var table = button.closest("[data-xqt-demo-password]");
        var username = document.getElementById("id_username");
        var password = document.getElementById("id_password");
        if (username && password && table) {
          username.value = button.dataset.xqtDemoUser;
          password.value = table.dataset.xqtDemoPassword;
          password.focus();
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    markActiveMenu();
    initCharts(document);
    enhanceDateFilters(document);
    bindDemoAccounts(document);
  });

  document.addEventListener("htmx:load", function (event) {
    initCharts(event.target);
    enhanceDateFilters(event.target);
  });
  document.addEventListener("htmx:afterSettle", markActiveMenu);
  document.addEventListener("htmx:responseError", showRequestError);
  document.addEventListener("htmx:sendError", showRequestError);

  window.xqt = { initCharts: initCharts, resizeCharts: resizeCharts };
})();
