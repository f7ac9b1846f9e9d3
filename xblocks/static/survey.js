/* Programme satisfaction survey: every item answered, then one POST. */
function TemisProgrammeSurvey(runtime, element, args) {
    "use strict";
    var root = element.jquery ? element[0] : element;
    var form = root.querySelector(".temis-survey-form");
    if (!form) { return; }
    var statusBox = form.querySelector("[data-role=status]");
    var errorBox = form.querySelector("[data-role=errors]");
    function csrfToken() {
        var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
        return match ? decodeURIComponent(match[1]) : "";
    }
    form.querySelector("[data-role=send]").addEventListener("click", function () {
        var answers = {}, missing = false;
        form.querySelectorAll("fieldset[data-item]").forEach(function (fieldset) {
            var checked = fieldset.querySelector("input:checked");
            fieldset.setAttribute("aria-invalid", checked ? "false" : "true");
            if (checked) { answers[fieldset.getAttribute("data-item")] = Number(checked.value); } else { missing = true; }
        });
        if (missing) { errorBox.textContent = args.strings.missing; errorBox.focus(); return; }
        fetch(runtime.handlerUrl(element, "submit"), {method: "POST", credentials: "same-origin",
            headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
            body: JSON.stringify({answers: answers, comment: form.querySelector("[data-role=comment]").value})
        }).then(function (response) {
            return response.json().then(function (data) {
                if (!response.ok) { throw new Error(data.error || response.statusText); }
                errorBox.textContent = "";
                statusBox.textContent = args.strings.saved;
            });
        }).catch(function (error) {
            errorBox.textContent = args.strings.failed.replace("%(message)s", error.message);
            errorBox.focus();
        });
    });
}
