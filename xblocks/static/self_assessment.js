/* Self-assessment block: autosave, evidence upload and linking, submit. Every request goes through
   one queue so each write names the version the previous one returned. */
function TemisSelfAssessment(runtime, element, args) {
    "use strict";
    var root = element.jquery ? element[0] : element;
    var form = root.querySelector(".temis-form");
    if (!form || !args.evaluation) { return; }
    var state = {id: args.evaluation.id, version: args.evaluation.version};
    var strings = args.strings;
    var statusBox = form.querySelector("[data-role=status]");
    var errorBox = form.querySelector("[data-role=errors]");
    var queue = Promise.resolve();
    var timer = null;
    var dirty = false;
    var stopped = false;

    function csrfToken() {
        var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
        return match ? decodeURIComponent(match[1]) : "";
    }
    function format(text, values) {
        return text.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
    }
    function say(text) { statusBox.textContent = text; }
    function fail(text) { errorBox.textContent = text; errorBox.focus(); }

    function post(handler, body, isJson) {
        var headers = {"X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest"};
        if (isJson !== false) { headers["Content-Type"] = "application/json"; body = JSON.stringify(body); }
        return fetch(runtime.handlerUrl(element, handler), {method: "POST", credentials: "same-origin",
            headers: headers, body: body}).then(function (response) {
            return response.json().catch(function () { return {error: response.statusText}; }).then(function (data) {
                if (!response.ok) {
                    var error = new Error(data.error || response.statusText);
                    error.status = response.status;
                    throw error;
                }
                return data;
            });
        });
    }
    function enqueue(task) {
        queue = queue.then(function () { return stopped ? null : task(); }).catch(function (error) {
            if (error.status === 409) {  // changed elsewhere, or already submitted: the page is stale
                stopped = true;
                fail(strings.conflict);
            } else {
                fail(format(strings.failed, {message: error.message}));
            }
        });
        return queue;
    }

    function collect() {
        var levels = {};
        form.querySelectorAll("fieldset[data-criterion]").forEach(function (fieldset) {
            var checked = fieldset.querySelector("input[type=radio]:checked");
            if (checked) { levels[fieldset.getAttribute("data-criterion")] = checked.value; }
        });
        var plan = {};
        form.querySelectorAll("[data-plan]").forEach(function (field) { plan[field.getAttribute("data-plan")] = field.value; });
        var checkedValues = function (selector) {
            return Array.prototype.map.call(form.querySelectorAll(selector + " input:checked"), function (box) { return box.value; });
        };
        return {
            id: state.id, version: state.version, levels: levels, plan: plan,
            strengths: form.querySelector("[data-field=strengths]").value,
            improvements: form.querySelector("[data-field=improvements]").value,
            need_criteria: checkedValues("[data-role=need-criteria]").map(Number),
            need_modules: checkedValues("[data-role=need-modules]")
        };
    }
    function save() {
        clearTimeout(timer);
        if (!dirty) { return queue; }
        dirty = false;
        say(strings.saving);
        return enqueue(function () {
            var payload = collect();
            payload.version = state.version;
            return post("save_draft", payload).then(function (data) {
                state.version = data.version;
                errorBox.textContent = "";
                say(format(strings.saved, {time: new Date().toLocaleTimeString()}));
            });
        });
    }
    function changed(event) {
        if (event.target.hasAttribute("data-evidence") || event.target.closest(".temis-library")) { return; }
        dirty = true;
        clearTimeout(timer);
        timer = setTimeout(save, 1500);
    }
    form.addEventListener("change", changed);
    form.addEventListener("input", changed);

    form.addEventListener("change", function (event) {
        var box = event.target;
        if (!box.hasAttribute("data-evidence")) { return; }
        var evidenceId = Number(box.getAttribute("data-evidence"));
        var criteria = Array.prototype.map.call(
            form.querySelectorAll("input[data-evidence='" + evidenceId + "']:checked"),
            function (checked) { return Number(checked.closest("[data-criterion]").getAttribute("data-criterion")); });
        save();
        enqueue(function () {
            return post("link_evidence", {id: state.id, version: state.version, evidence_id: evidenceId,
                criteria: criteria}).then(function (data) {
                state.version = data.version;
                say(format(strings.saved, {time: new Date().toLocaleTimeString()}));
            });
        });
    });

    function addEvidenceBox(evidence) {
        form.querySelectorAll("[data-role=evidence-for]").forEach(function (area) {
            var criterion = area.getAttribute("data-criterion");
            var list = area.querySelector("[data-role=evidence-list]");
            var empty = list.querySelector(".temis-empty");
            if (empty) { empty.remove(); }
            var id = "ev-" + state.id + "-" + criterion + "-" + evidence.id;
            var item = document.createElement("li");
            var box = document.createElement("input");
            box.type = "checkbox"; box.id = id; box.setAttribute("data-evidence", evidence.id);
            var label = document.createElement("label");
            label.htmlFor = id; label.textContent = evidence.name;
            item.appendChild(box); item.appendChild(document.createTextNode(" ")); item.appendChild(label);
            if (evidence.url) {
                var open = document.createElement("a");
                open.href = evidence.url; open.target = "_blank"; open.rel = "noopener";
                open.textContent = strings.view_evidence;
                item.appendChild(document.createTextNode(" ")); item.appendChild(open);
            }
            list.appendChild(item);
        });
    }
    form.querySelector("[data-role=add-evidence]").addEventListener("click", function () {
        var name = form.querySelector("[data-role=evidence-name]");
        var description = form.querySelector("[data-role=evidence-description]");
        var file = form.querySelector("[data-role=evidence-file]");
        var url = form.querySelector("[data-role=evidence-url]");
        if (!name.value.trim()) { name.setAttribute("aria-invalid", "true"); fail(strings.need_name); name.focus(); return; }
        if (!file.files.length && !url.value.trim()) { fail(strings.need_file_or_link); file.focus(); return; }
        name.removeAttribute("aria-invalid");
        var body = new FormData();
        body.append("name", name.value.trim());
        body.append("description", description.value);
        if (file.files.length) { body.append("file", file.files[0]); } else { body.append("url", url.value.trim()); }
        say(strings.uploading);
        enqueue(function () {
            return post("add_evidence", body, false).then(function (evidence) {
                addEvidenceBox(evidence);
                name.value = ""; description.value = ""; file.value = ""; url.value = "";
                errorBox.textContent = "";
                say(strings.uploaded);
            });
        });
    });

    form.querySelector("[data-role=save]").addEventListener("click", function () { dirty = true; save(); });
    form.querySelector("[data-role=submit]").addEventListener("click", function () {
        var missing = [];
        form.querySelectorAll("fieldset[data-criterion]").forEach(function (fieldset) {
            var ok = fieldset.querySelector("input[type=radio]:checked");
            fieldset.setAttribute("aria-invalid", ok ? "false" : "true");
            // Tie the message to each criterion it is about, so a screen reader announces it there.
            if (ok) { fieldset.removeAttribute("aria-describedby"); } else {
                fieldset.setAttribute("aria-describedby", errorBox.id);
                missing.push(fieldset.getAttribute("data-criterion"));
            }
        });
        if (missing.length) { fail(format(strings.missing, {list: missing.join(", ")})); return; }
        if (!window.confirm(strings.confirm_submit)) { return; }
        dirty = true;
        save();
        enqueue(function () {
            return post("submit", {id: state.id, version: state.version}).then(function () {
                window.location.reload();
            });
        });
    });
}
