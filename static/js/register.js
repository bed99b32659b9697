/* Registration form, progressive enhancement: the form works without this file.
   Checks the NIK as it is typed (digits, length, then the server's checks and whether it is
   already registered), fills birth date and sex from a new NIK when still empty, and keeps
   the monthly contribution up to date. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  ready(function () {
    var form = document.querySelector("form.register-form");
    if (!form) { return; }
    var nik = form.querySelector("input[name=nik]");
    var status = document.getElementById("nik-status");
    var checkUrl = form.getAttribute("data-check-url");
    var feeUrl = form.getAttribute("data-fee-url");
    var lastChecked = "";
    var timer = null;

    Array.prototype.forEach.call(form.querySelectorAll(".js-hide"), function (el) { el.hidden = true; });

    function show(kind, text, link) {
      status.className = "nik-status nik-status--" + kind;
      status.textContent = text;
      if (link) {
        var a = document.createElement("a");
        a.href = link;
        a.textContent = " ›";
        a.setAttribute("aria-label", text);
        status.appendChild(a);
      }
    }

    function fillFromNik(data) {
      var birth = form.querySelector("input[name=tanggal_lahir]");
      if (birth && !birth.value && data.tanggal_lahir) { birth.value = data.tanggal_lahir; }
      var sexChosen = form.querySelector("input[name=jenis_kelamin]:checked");
      var sex = form.querySelector("input[name=jenis_kelamin][value='" + data.jenis_kelamin + "']");
      if (!sexChosen && sex) { sex.checked = true; }
    }

    function askServer(value) {
      if (!checkUrl || value === lastChecked) { return; }
      lastChecked = value;
      show("checking", status.getAttribute("data-checking-msg"));
      var body = new URLSearchParams();
      body.set("nik", value);
      fetch(checkUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(form), "Content-Type": "application/x-www-form-urlencoded" },
        body: body.toString()
      }).then(function (response) { return response.json(); }).then(function (data) {
        if (nik.value.replace(/[\s.\-]/g, "") !== value) { return; }
        var kind = data.status === "new" ? "ok" : (data.status === "invalid" ? "error" : "warning");
        show(kind, data.message + (data.warnings && data.warnings.length ? " " + data.warnings.join(" ") : ""), data.url);
        nik.setAttribute("aria-invalid", data.status === "invalid" ? "true" : "false");
        if (data.status === "new") { fillFromNik(data); }
      }).catch(function () {
        lastChecked = "";
        status.textContent = "";
      });
    }

    function checkNik() {
      var value = nik.value.replace(/[\s.\-]/g, "");
      window.clearTimeout(timer);
      if (!value) { show("hint", status.getAttribute("data-empty-msg")); return; }
      if (!/^\d+$/.test(value)) {
        show("error", status.getAttribute("data-digits-msg"));
        nik.setAttribute("aria-invalid", "true");
        return;
      }
      if (value.length !== 16) {
        var kind = value.length < 16 ? "hint" : "error";
        show(kind, status.getAttribute("data-length-msg").replace("{count}", String(value.length)));
        nik.setAttribute("aria-invalid", value.length > 16 ? "true" : "false");
        return;
      }
      timer = window.setTimeout(function () { askServer(value); }, 250);
    }

    if (nik && status) {
      nik.addEventListener("input", checkNik);
      // After a server-side rejection the server's message already stands next to the field.
      if (nik.value && !document.getElementById("id_nik_error")) { checkNik(); }
    }

    var fee = document.getElementById("fee-amount");
    var feeMonth = document.getElementById("fee-month");
    var feeTimer = null;
    function value(name) {
      var checked = form.querySelector("[name=" + name + "]:checked");
      if (checked) { return checked.value; }
      var field = form.querySelector("select[name=" + name + "], input[name=" + name + "]:not([type=radio])");
      return field ? field.value : "";
    }
    function updateFee() {
      if (!fee || !feeUrl) { return; }
      var params = new URLSearchParams();
      ["penghasilan", "program", "sektor", "sumber_iuran", "tanggal_daftar"].forEach(function (name) {
        params.set(name, value(name));
      });
      fetch(feeUrl + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          fee.textContent = data.text || "–";
          if (feeMonth) { feeMonth.textContent = data.text ? feeMonth.getAttribute("data-template").replace("{month}", data.month) : ""; }
        })
        .catch(function () { /* keep the last amount */ });
    }
    // A dropped connection must not lose what was typed: send the form in the background, keep
    // it on screen when the network fails, and let the Kepling send it again. The form's
    // one-time key makes a resend that the server did receive register the worker only once.
    var offline = document.getElementById("submit-offline");
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (!window.fetch || (submitter && submitter.name === "hitung")) { return; }
      event.preventDefault();
      var data = new FormData(form);
      if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
      if (offline) { offline.hidden = true; }
      if (submitter) { submitter.disabled = true; }
      fetch(form.action, {
        method: "POST", body: data, credentials: "same-origin", headers: { "X-Kepling-Background": "1" }
      }).then(function (response) {
        var next = response.headers.get("X-Kepling-Location");
        if (next) { window.location.assign(next); return; }
        return response.text().then(function (html) {
          document.open(); document.write(html); document.close();
        });
      }).catch(function () {
        if (offline) { offline.hidden = false; offline.scrollIntoView({ block: "center" }); }
      }).finally(function () {
        if (submitter) { submitter.disabled = false; }
      });
    });

    ["penghasilan", "program", "sektor", "sumber_iuran", "tanggal_daftar"].forEach(function (name) {
      Array.prototype.forEach.call(form.querySelectorAll("[name=" + name + "]"), function (el) {
        el.addEventListener(el.type === "radio" || el.tagName === "SELECT" ? "change" : "input", function () {
          window.clearTimeout(feeTimer);
          feeTimer = window.setTimeout(updateFee, 300);
        });
      });
    });
  });
})();
