// The organisation field as an ARIA 1.2 combobox (the "list autocomplete" pattern of
// the WAI-ARIA Authoring Practices): as the delegate types, the partner directory's
// entries are offered in a listbox; arrows move through them, Enter picks one, Escape
// closes the list. Picking an entry also sets the sector to the directory's. Anything
// else typed is kept as typed: the field stays a plain text box, and without this
// script it is one.
"use strict";

(function () {
  const DELAY_MS = 200;

  function enhance(input) {
    const url = input.dataset.organisationSearch;
    const sector = document.getElementById(input.dataset.sectorField || "");
    const listbox = document.createElement("ul");
    const status = document.createElement("div");
    let options = [];
    let active = -1;
    let timer = null;
    let pending = null;
    let lastQuery = "";

    listbox.id = `${input.id}-listbox`;
    listbox.className = "picker-listbox";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", "Matching partners");
    listbox.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);
    const wrapper = document.createElement("div");
    wrapper.className = "picker";
    input.parentNode.insertBefore(wrapper, input);
    wrapper.append(input, listbox, status);

    function announce(text) {
      status.textContent = text;
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      const items = listbox.children;
      if (active >= 0 && items[active]) {
        items[active].setAttribute("aria-selected", "false");
      }
      active = index;
      if (active < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      items[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function pick(index) {
      const entry = options[index];
      if (!entry) {
        return;
      }
      input.value = entry.name;
      close();
      if (sector && sector.value !== entry.sector) {
        sector.value = entry.sector;
        sector.dispatchEvent(new Event("change", { bubbles: true }));
        announce(`${entry.name} chosen. Sector set to ${entry.sector_label}.`);
      } else {
        announce(`${entry.name} chosen.`);
      }
    }

    function show(results) {
      options = results;
      listbox.replaceChildren(
        ...results.map((entry, index) => {
          const item = document.createElement("li");
          item.id = `${listbox.id}-${index}`;
          item.className = "picker-option";
          item.setAttribute("role", "option");
          item.setAttribute("aria-selected", "false");
          const name = document.createElement("span");
          name.textContent = entry.name;
          const sectorLabel = document.createElement("span");
          sectorLabel.className = "picker-sector";
          sectorLabel.textContent = entry.sector_label;
          item.append(name, " ", sectorLabel);
          return item;
        }),
      );
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (results.length) {
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
        const found = results.length === 1 ? "1 organisation" : `${results.length} organisations`;
        announce(`${found} found. Use the up and down arrows to choose.`);
      } else {
        close();
        announce("No organisation found in our list. What you type will be kept as it is.");
      }
    }

    function search() {
      const query = input.value.trim();
      if (query === lastQuery) {
        return;
      }
      lastQuery = query;
      if (pending) {
        pending.abort();
      }
      if (query.length < 2) {
        options = [];
        close();
        return;
      }
      pending = new AbortController();
      fetch(`${url}?q=${encodeURIComponent(query)}`, {
        signal: pending.signal,
        headers: { Accept: "application/json" },
      })
        .then((response) => (response.ok ? response.json() : { results: [] }))
        .then((data) => {
          if (input.value.trim() === query && document.activeElement === input) {
            show(data.results || []);
          }
        })
        .catch(() => {}); // Aborted or offline: the text box still takes any name.
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(search, DELAY_MS);
    });

    input.addEventListener("keydown", (event) => {
      const open = !listbox.hidden;
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (!open && options.length) {
            listbox.hidden = false;
            input.setAttribute("aria-expanded", "true");
          }
          if (options.length) {
            highlight((active + 1) % options.length);
          }
          break;
        case "ArrowUp":
          event.preventDefault();
          if (open && options.length) {
            highlight(active <= 0 ? options.length - 1 : active - 1);
          }
          break;
        case "Enter":
          // Only a highlighted entry is picked; otherwise Enter submits the form.
          if (open && active >= 0) {
            event.preventDefault();
            pick(active);
          }
          break;
        case "Escape":
          if (open) {
            event.preventDefault();
            close();
          }
          break;
        case "Tab":
          close();
          break;
        default:
      }
    });

    // Keep the focus in the text box while an option is clicked.
    listbox.addEventListener("mousedown", (event) => event.preventDefault());
    listbox.addEventListener("click", (event) => {
      const item = event.target.closest("[role='option']");
      if (item) {
        pick(Array.prototype.indexOf.call(listbox.children, item));
      }
    });
    input.addEventListener("blur", close);
  }

  document.querySelectorAll("input[data-organisation-search]").forEach(enhance);
})();
