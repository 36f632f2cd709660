import { isAbort, type TypeaheadResult } from './api-client.js';
import { el } from './el.js';
import { searchPath } from './router.js';
import { suggestionGroups } from './suggestion-groups.js';

export interface TypeaheadOptions {
  /** The text box: role=combobox, aria-controls pointing at `listbox`. */
  input: HTMLInputElement;
  /** role=listbox, hidden while closed. */
  listbox: HTMLElement;
  /** A polite live region that announces how many suggestions there are. */
  status: HTMLElement;
  suggest(q: string, signal: AbortSignal): Promise<TypeaheadResult>;
  /** Opens a page (a picked suggestion, or a media search for the typed text). */
  go(path: string): void;
  debounceMs?: number;
}

interface Suggestion {
  element: HTMLElement;
  path: string;
}

function option(id: string, primary: string, secondary: string): HTMLElement {
  return el(
    'div',
    { id, role: 'option', class: 'option', 'aria-selected': 'false' },
    el('span', { class: 'option-primary' }, primary),
    el('span', { class: 'option-secondary' }, secondary),
  );
}

/**
 * The search box's suggestions, following the ARIA combobox pattern: focus
 * stays in the input while aria-activedescendant names the active option.
 * Requests wait for the typing to settle, and a newer keystroke aborts the
 * request in flight so a slow old answer can never replace a newer one.
 */
export class Typeahead {
  private readonly debounceMs: number;
  private timer: number | undefined;
  private inFlight: AbortController | null = null;
  private suggestions: Suggestion[] = [];
  private active = -1;

  constructor(private readonly options: TypeaheadOptions) {
    this.debounceMs = options.debounceMs ?? 120;
    const { input, listbox } = options;
    input.addEventListener('input', () => this.onInput());
    input.addEventListener('keydown', (event) => this.onKeyDown(event));
    input.addEventListener('blur', () => this.reset());
    // Keep focus in the input while an option is clicked.
    listbox.addEventListener('mousedown', (event) => event.preventDefault());
    listbox.addEventListener('click', (event) => {
      const target = event.target instanceof Element ? event.target.closest('[role="option"]') : null;
      const index = this.suggestions.findIndex((s) => s.element === target);
      if (index >= 0) this.pick(index);
    });
    input.form?.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submitText();
    });
  }

  /** Sets the box's text without asking for suggestions (e.g. after a page change). */
  setText(text: string): void {
    this.reset();
    this.options.input.value = text;
  }

  private get isOpen(): boolean {
    return !this.options.listbox.hidden;
  }

  private onInput(): void {
    this.cancel();
    const q = this.options.input.value.trim();
    if (!q) {
      this.show([], []);
      return;
    }
    this.timer = window.setTimeout(() => void this.load(q), this.debounceMs);
  }

  private cancel(): void {
    window.clearTimeout(this.timer);
    this.timer = undefined;
    this.inFlight?.abort();
    this.inFlight = null;
  }

  /** Closes the list and drops pending work and old suggestions. */
  private reset(): void {
    this.cancel();
    this.show([], []);
  }

  private async load(q: string): Promise<void> {
    const controller = new AbortController();
    this.inFlight = controller;
    try {
      const result = await this.options.suggest(q, controller.signal);
      if (this.inFlight !== controller) return;
      this.inFlight = null;
      this.render(result);
    } catch (err) {
      if (isAbort(err) || this.inFlight !== controller) return;
      this.inFlight = null;
      this.show([], []);
      this.options.status.textContent = 'Suggestions are unavailable right now.';
    }
  }

  private render(result: TypeaheadResult): void {
    const base = this.options.listbox.id;
    const suggestions: Suggestion[] = [];
    const groups: HTMLElement[] = [];
    const group = (key: string, label: string, items: { element: HTMLElement; path: string }[]): void => {
      if (items.length === 0) return;
      const labelId = `${base}-${key}`;
      const node = el(
        'div',
        { role: 'group', 'aria-labelledby': labelId, class: 'option-group' },
        el('div', { role: 'presentation', id: labelId, class: 'group-label' }, label),
      );
      for (const item of items) node.append(item.element);
      suggestions.push(...items);
      groups.push(node);
    };
    let n = 0;
    for (const g of suggestionGroups(result)) {
      group(
        g.key,
        g.label,
        g.items.map((item) => ({
          element: option(`${base}-option-${n++}`, item.primary, item.secondary),
          path: item.path,
        })),
      );
    }
    this.show(suggestions, groups);
    this.options.status.textContent =
      suggestions.length === 0
        ? 'No suggestions.'
        : `${suggestions.length} suggestion${suggestions.length === 1 ? '' : 's'}. Use the up and down arrows to choose.`;
  }

  private show(suggestions: Suggestion[], groups: HTMLElement[]): void {
    const { input, listbox } = this.options;
    this.suggestions = suggestions;
    this.active = -1;
    listbox.replaceChildren(...groups);
    listbox.hidden = suggestions.length === 0;
    input.setAttribute('aria-expanded', String(suggestions.length > 0));
    input.removeAttribute('aria-activedescendant');
    if (suggestions.length === 0) this.options.status.textContent = '';
  }

  private setOpen(open: boolean): void {
    this.options.listbox.hidden = !open;
    this.options.input.setAttribute('aria-expanded', String(open));
    if (!open) this.setActive(-1);
  }

  private setActive(index: number): void {
    this.suggestions[this.active]?.element.setAttribute('aria-selected', 'false');
    this.active = index;
    const current = this.suggestions[index];
    if (!current) {
      this.options.input.removeAttribute('aria-activedescendant');
      return;
    }
    current.element.setAttribute('aria-selected', 'true');
    this.options.input.setAttribute('aria-activedescendant', current.element.id);
    current.element.scrollIntoView({ block: 'nearest' });
  }

  private move(step: 1 | -1): void {
    const n = this.suggestions.length;
    if (!this.isOpen) {
      this.setOpen(true);
      this.setActive(step === 1 ? 0 : n - 1);
      return;
    }
    // From "no active option", down goes to the first and up to the last; both wrap.
    const from = this.active < 0 ? (step === 1 ? -1 : n) : this.active;
    this.setActive((from + step + n) % n);
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.isComposing) return;
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp':
        if (this.suggestions.length === 0) return;
        event.preventDefault();
        this.move(event.key === 'ArrowDown' ? 1 : -1);
        return;
      case 'Enter':
        event.preventDefault();
        if (this.isOpen && this.active >= 0) this.pick(this.active);
        else this.submitText();
        return;
      case 'Escape':
        // A type=search box would also clear itself on Escape: only close the list.
        event.preventDefault();
        if (this.isOpen) this.setOpen(false);
        else if (this.options.input.value) this.setText('');
        return;
      case 'Tab':
        this.setOpen(false);
        return;
    }
  }

  private pick(index: number): void {
    const suggestion = this.suggestions[index];
    if (!suggestion) return;
    this.reset();
    this.options.go(suggestion.path);
  }

  private submitText(): void {
    const q = this.options.input.value.trim();
    if (!q) return;
    this.reset();
    this.options.go(searchPath(q));
  }
}
