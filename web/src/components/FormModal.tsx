import { Modal, type ModalProps } from 'antd';
import { type KeyboardEvent, type MouseEvent, useRef } from 'react';

/** What Enter does in this field itself: pick an option, add a line, finish an IME word. */
function enterBelongsToField(e: KeyboardEvent): boolean {
  if (e.nativeEvent.isComposing) return true; // Chinese input: Enter accepts the candidate
  const el = e.target as HTMLElement;
  if (el.tagName === 'TEXTAREA' || el.tagName === 'BUTTON' || el.tagName === 'A') return true;
  if (el.getAttribute('role') === 'combobox' || el.closest('.ant-select, .ant-picker')) return true;
  return el.tagName !== 'INPUT' || ['checkbox', 'radio', 'file'].includes((el as HTMLInputElement).type);
}

/**
 * A dialog that holds a form, as people expect one to behave from the keyboard:
 * - the first field has the focus once the dialog is shown. `autoFocus` alone misses under
 *   reduced motion, where the dialog is drawn before it joins the page (the dialog then focuses
 *   its Close button);
 * - Enter in a one-line field is the OK button. The browser's own implicit submission is
 *   stopped, so a form that also submits itself does not run twice.
 */
export function FormModal({ afterOpenChange, children, onOk, ...props }: ModalProps) {
  const body = useRef<HTMLDivElement>(null);
  const focusFirstField = (shown: boolean) => {
    afterOpenChange?.(shown);
    const root = body.current;
    if (!shown || !root || root.contains(document.activeElement)) return;
    root.querySelector<HTMLElement>('input:not([disabled]):not([type="hidden"]), textarea:not([disabled])')?.focus();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'Enter' || e.shiftKey || e.altKey || e.ctrlKey || e.metaKey || enterBelongsToField(e)) return;
    // React carries events up from popups drawn elsewhere (a colour picker's hex field): only the
    // dialog's own fields are meant.
    if (!e.currentTarget.contains(e.target as Node)) return;
    e.preventDefault();
    // What the OK button would not do now (busy, or disabled until the form is complete), Enter does not either.
    if (!props.confirmLoading && !props.okButtonProps?.disabled) onOk?.(e as unknown as MouseEvent<HTMLButtonElement>);
  };
  return (
    <Modal {...props} onOk={onOk} afterOpenChange={focusFirstField}>
      {/* Enter from the fields inside bubbles up to here; the div itself takes no focus. */}
      <div ref={body} onKeyDown={onKeyDown}>
        {children}
      </div>
    </Modal>
  );
}
