// Quick checks: multiple-choice questions from static/quick-checks.json, rendered into
// <section class="quick-checks" data-page="ID">.  Plain JS, so they work before Python starts.
// Feedback explains why the chosen option is right or wrong; nothing is revealed before a choice.
(function () {
  "use strict";
  // Not document.currentScript: while PyScript runs the page's Python it answers with the page's
  // <script type="py"> (no src), and this file, loaded late, stopped the lesson ("Invalid base URL").
  const script = document.querySelector('script[src$="quiz.js"]');
  const dataUrl = new URL("quick-checks.json", script ? script.src : location.href);

  function render(section, questions) {
    const heading = document.createElement("h2");
    heading.textContent = "Quick check";
    section.replaceChildren(heading);
    questions.forEach((q, qi) => {
      const id = `${section.dataset.page}-q${qi}`;
      const box = document.createElement("div");
      box.className = "quick-check";
      const set = document.createElement("fieldset");
      const legend = document.createElement("legend");
      legend.textContent = q.question;
      set.append(legend);
      const feedback = document.createElement("p");
      feedback.className = "feedback";
      feedback.setAttribute("role", "status");
      feedback.setAttribute("aria-live", "polite");
      // Where the widget can show the answer, links that set it up (shown once answered).
      const tryLinks = document.createElement("p");
      tryLinks.className = "try-links";
      tryLinks.hidden = true;
      (q.try || []).forEach((link) => {
        const a = document.createElement("a");
        a.className = "try-it";
        a.href = link.href;
        a.textContent = link.label;
        tryLinks.append(a, " ");
      });
      q.options.forEach((option, oi) => {
        const label = document.createElement("label");
        label.className = "option";
        const input = document.createElement("input");
        input.type = "radio";
        input.name = id;
        input.value = String(oi);
        input.addEventListener("change", () => {
          feedback.className = "feedback " + (option.correct ? "right" : "wrong");
          feedback.textContent = (option.correct ? "Right. " : "Not quite. ") + option.why;
          tryLinks.hidden = tryLinks.childElementCount === 0;
        });
        label.append(input, " ", option.text);
        set.append(label, document.createElement("br"));
      });
      box.append(set, feedback, tryLinks);
      section.append(box);
    });
  }

  function init() {
    const sections = document.querySelectorAll("section.quick-checks[data-page]");
    if (!sections.length) return;
    fetch(dataUrl).then((r) => r.json()).then((all) => {
      sections.forEach((section) => render(section, all[section.dataset.page] || []));
    }).catch(() => {
      sections.forEach((section) => { section.textContent = "The quick-check questions could not be loaded."; });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
