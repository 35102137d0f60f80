// @ts-check
// Small DOM helpers every view uses.

/**
 * The element with this id, checked to be of the expected kind.
 * @template {HTMLElement} T
 * @param {string} id
 * @param {{ new (): T }} type
 * @returns {T}
 */
export function byId(id, type) {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`#${id} is missing or not a ${type.name}`);
  return node;
}

/** @param {string} id */
export const element = (id) => byId(id, HTMLElement);

/**
 * A new element with a class and text (never HTML).
 * @param {string} tag
 * @param {string} [className]
 * @param {string} [text]
 */
export function make(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Runs the work with the button disabled, so a second click cannot send it twice.
 * @param {HTMLButtonElement} button
 * @param {() => Promise<unknown>} work
 */
export async function busy(button, work) {
  button.disabled = true;
  try {
    await work();
  } finally {
    button.disabled = false;
  }
}

/**
 * Calls `handler` on the form's submit (Enter in any field, or its submit button), and not twice at once.
 * @param {HTMLFormElement} form
 * @param {() => Promise<unknown>} handler
 */
export function onSubmit(form, handler) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    if (button instanceof HTMLButtonElement && !button.disabled) void busy(button, handler);
  });
}
