// Runs a parsed AppleScript (osascript-parse.ts) against the guest: UI scripting through System
// Events against the element trees of model/system-settings*.ts, quit/running of applications, do
// shell script through the sim's shell, delay on the machine's time scale. A reference that leads
// nowhere fails as System Events does: by index "Invalid index." (-1719), by name "Can’t get ..."
// (-1728); `error "text"` is -2700; an undefined variable -2753.
import type { GuestUser } from '../guest-fs.ts';
import type { Machine } from '../machine.ts';
import { quitAppsLater, runningApps } from '../model/app-launch.ts';
import {
  guiProcesses,
  quitSettings,
  SETTINGS_BUNDLE_ID,
  SETTINGS_PROCESS,
  settingsRunning,
} from '../model/system-settings.ts';
import type { UiElement } from '../model/system-settings-elements.ts';
import { runCommandLine } from '../shell/interpreter.ts';
import type { Expr, Stmt } from './osascript-parse.ts';

interface Step {
  cls: string;
  by: 'index' | 'name';
  key: number | string;
}
/** An element reference from System Events down: `process "X"`, then windows, groups, ... */
interface Ref {
  type: 'ref';
  steps: Step[];
}
interface AppRef {
  type: 'app';
  by: 'name' | 'id';
  key: string;
}
interface ClassConst {
  type: 'class';
  cls: string;
}
interface Attribute {
  type: 'attr';
  name: string;
  of: Ref;
}
type Value = string | number | boolean | null | Value[] | Ref | AppRef | ClassConst | Attribute;

export class ScriptError extends Error {
  constructor(
    readonly num: number,
    message: string,
    /** The statement it happened in, for osascript's `<from>:<to>:` prefix. */
    public span?: { start: number; end: number },
  ) {
    super(message);
  }
}
class ExitRepeat {}
class Return {
  constructor(readonly value: Value | undefined) {}
}

export interface RunEnv {
  machine: Machine;
  user: GuestUser;
  signal: AbortSignal;
  afterReply(task: () => void): void;
}

const SYSTEM_EVENTS: AppRef = { type: 'app', by: 'name', key: 'System Events' };

function canonicalClass(cls: string): string {
  return cls === 'process' ? 'application process' : cls;
}

function isRef(v: Value | undefined): v is Ref {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v.type === 'ref';
}
function isApp(v: Value | undefined): v is AppRef {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v.type === 'app';
}

/** `checkbox 1 of group 2 of application process "System Settings"` (source form, for errors). */
function sourceForm(ref: Ref): string {
  return [...ref.steps]
    .reverse()
    .map((s) => (s.by === 'index' ? `${s.cls} ${s.key}` : `${s.cls} "${s.key}"`))
    .join(' of ');
}

/** osascript's human-readable result: strings bare, references without quotes. */
export function display(v: Value | undefined): string {
  if (v === undefined) return '';
  if (v === null) return 'missing value';
  if (Array.isArray(v)) return v.map(display).join(', ');
  if (typeof v === 'object') {
    if (v.type === 'ref')
      return [...v.steps]
        .reverse()
        .map((s) => `${s.cls} ${s.key}`)
        .join(' of ');
    if (v.type === 'app') return v.by === 'id' ? `application id ${v.key}` : `application ${v.key}`;
    if (v.type === 'class') return v.cls;
    return `attribute ${v.name} of ${display(v.of)}`;
  }
  return String(v);
}

function uiError(ref: Ref, byIndex: boolean): ScriptError {
  return new ScriptError(
    byIndex ? -1719 : -1728,
    `System Events got an error: Can’t get ${sourceForm(ref)}.${byIndex ? ' Invalid index.' : ''}`,
  );
}

export class AppleScriptRun {
  private readonly vars = new Map<string, Value>();
  private readonly tells: Value[] = [];
  last: Value | undefined;

  constructor(private readonly env: RunEnv) {}

  async run(script: Stmt[]): Promise<Value | undefined> {
    try {
      await this.block(script);
    } catch (error) {
      if (error instanceof Return) return error.value;
      throw error;
    }
    return this.last;
  }

  private async block(body: Stmt[]): Promise<void> {
    for (const stmt of body) await this.statement(stmt);
  }

  private async statement(s: Stmt): Promise<void> {
    this.env.signal.throwIfAborted();
    try {
      await this.execute(s);
    } catch (error) {
      if (error instanceof ScriptError && !error.span) error.span = { start: s.start, end: s.end };
      throw error;
    }
  }

  private async execute(s: Stmt): Promise<void> {
    switch (s.k) {
      case 'set': {
        const value = await this.settle(await this.eval(s.value));
        if (s.target.k === 'var') this.vars.set(s.target.name, value);
        else if (s.target.k === 'prop' && s.target.name === 'value') {
          const target = await this.eval(s.target.of);
          if (!isRef(target))
            throw new ScriptError(-10006, `Can’t set value of ${display(target)} to ${display(value)}.`);
          const el = this.resolve(target);
          await el.setValue?.(typeof value === 'string' ? value : display(value));
        } else
          throw new ScriptError(
            -10006,
            `Can’t set ${display(await this.eval(s.target))} to ${display(value)}.`,
          );
        this.last = value;
        return;
      }
      case 'tell': {
        this.tells.push(await this.eval(s.target));
        try {
          await this.block(s.body);
        } finally {
          this.tells.pop();
        }
        return;
      }
      case 'if': {
        for (const branch of s.branches) {
          if (this.truth(await this.eval(branch.cond))) return this.block(branch.body);
        }
        return this.block(s.otherwise);
      }
      case 'repeat':
        return this.repeat(s);
      case 'exit':
        throw new ExitRepeat();
      case 'try':
        try {
          await this.block(s.body);
        } catch (error) {
          if (!(error instanceof ScriptError)) throw error;
          if (s.errorVar) this.vars.set(s.errorVar, error.message);
          await this.block(s.onError);
        }
        return;
      case 'cmd':
        return this.command(s.name, s.arg);
    }
  }

  private async repeat(s: Extract<Stmt, { k: 'repeat' }>): Promise<void> {
    const once = async (): Promise<boolean> => {
      try {
        await this.block(s.body);
        return true;
      } catch (error) {
        if (error instanceof ExitRepeat) return false;
        throw error;
      }
    };
    if (s.mode === 'times') {
      const n = Number(await this.eval(s.arg!));
      for (let k = 0; k < n; k++) if (!(await once())) return;
    } else if (s.mode === 'with') {
      const list = await this.settle(await this.eval(s.arg!));
      const items = Array.isArray(list) ? list : [list];
      for (const item of items) {
        this.vars.set(s.name!, item);
        if (!(await once())) return;
      }
    } else {
      for (;;) {
        this.env.signal.throwIfAborted();
        if (s.mode === 'while' && !this.truth(await this.eval(s.arg!))) return;
        if (s.mode === 'until' && this.truth(await this.eval(s.arg!))) return;
        if (!(await once())) return;
        // A loop without a delay must still let the model's timers run.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  private async command(name: Extract<Stmt, { k: 'cmd' }>['name'], arg: Expr | undefined): Promise<void> {
    const value = arg ? await this.eval(arg) : undefined;
    switch (name) {
      case 'get':
        this.last = await this.settle(value!);
        return;
      case 'delay':
        await this.delay(Number(value) * 1000);
        return;
      case 'click': {
        if (!isRef(value))
          throw new ScriptError(-1708, `${display(value)} doesn’t understand the “click” message.`);
        const el = this.resolve(value);
        await el.press?.();
        this.last = value;
        return;
      }
      case 'error':
        throw new ScriptError(-2700, typeof value === 'string' ? value : display(value));
      case 'return':
        throw new Return(value === undefined ? undefined : await this.settle(value));
      case 'quit':
        this.quit(isApp(value) ? value : this.appTarget());
        return;
      case 'activate':
      case 'notify':
        return;
      case 'shell':
        this.last = await this.shell(String(value ?? ''));
        return;
    }
  }

  private appTarget(): AppRef {
    for (let k = this.tells.length - 1; k >= 0; k--) {
      const t = this.tells[k];
      if (isApp(t)) return t;
    }
    return { type: 'app', by: 'name', key: 'osascript' };
  }

  private quit(app: AppRef): void {
    if (this.isSettings(app)) {
      quitSettings(this.env.machine);
      return;
    }
    quitAppsLater(this.env.machine, (a) =>
      app.by === 'id' ? a.bundleId === app.key : a.path.endsWith(`/${app.key}.app`),
    );
  }

  private isSettings(app: AppRef): boolean {
    return app.by === 'id' ? app.key === SETTINGS_BUNDLE_ID : app.key === SETTINGS_PROCESS;
  }

  private running(app: AppRef): boolean {
    if (this.isSettings(app)) return settingsRunning(this.env.machine);
    if (app.key === 'System Events') return true;
    return runningApps(this.env.machine.state).some((a) =>
      app.by === 'id' ? a.bundleId === app.key : a.path.endsWith(`/${app.key}.app`),
    );
  }

  private async delay(ms: number): Promise<void> {
    const signal = this.env.signal;
    signal.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', stop);
        resolve();
      }, this.env.machine.scaledMs(ms));
      const stop = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      signal.addEventListener('abort', stop, { once: true });
    });
  }

  private async shell(line: string): Promise<string> {
    let out = '';
    let err = '';
    const status = await runCommandLine(
      {
        machine: this.env.machine,
        user: this.env.user,
        signal: this.env.signal,
        afterReply: (task) => this.env.afterReply(task),
        io: {
          stdin: async () => Buffer.alloc(0),
          stdout: (data) => {
            out += data.toString('utf8');
          },
          stderr: (data) => {
            err += data.toString('utf8');
          },
        },
      },
      line,
    );
    if (status !== 0) throw new ScriptError(status, err.trimEnd() || out.trimEnd());
    return out.replace(/\n$/, '').replaceAll('\n', '\r');
  }

  private truth(v: Value): boolean {
    if (typeof v === 'boolean') return v;
    throw new ScriptError(-1700, `Can’t make ${display(v)} into type boolean.`);
  }

  /** Where a bare specifier (`window 1`) looks: the innermost UI element or process being told. */
  private container(): Ref | undefined {
    for (let k = this.tells.length - 1; k >= 0; k--) {
      const t = this.tells[k];
      if (isRef(t)) return t;
      if (isApp(t)) return t.key === 'System Events' ? { type: 'ref', steps: [] } : undefined;
    }
    return undefined;
  }

  /** The element a reference names now, or System Events' error. */
  private resolve(ref: Ref): UiElement {
    return this.walk(ref).found;
  }

  /** The element and its siblings (one build of the tree, so identity holds). */
  private walk(ref: Ref): { found: UiElement; siblings: UiElement[] } {
    // Without the image's Accessibility grant (quirk no-tcc-grants) System Events refuses every
    // element, in the words public reports quote for a process missing from the Accessibility list.
    if (this.env.machine.state.tccGrants === false)
      throw new ScriptError(-1719, 'System Events got an error: osascript is not allowed assistive access.');
    let children: UiElement[] = this.root().children;
    let found: UiElement | undefined;
    let siblings = children;
    for (const step of ref.steps) {
      const pool = children.filter((c) => step.cls === 'ui element' || c.cls === step.cls);
      found =
        step.by === 'index'
          ? pool.at(Number(step.key) > 0 ? Number(step.key) - 1 : Number(step.key))
          : pool.find((c) => c.name !== undefined && c.name.toLowerCase() === String(step.key).toLowerCase());
      if (!found) throw uiError(ref, step.by === 'index');
      siblings = children;
      children = found.children;
    }
    if (!found) return { found: this.root(), siblings: [] };
    return { found, siblings };
  }

  /** The canonical references of `el`'s children under `ref`: by name when named, else by index. */
  private childRefs(ref: Ref, el: Pick<UiElement, 'children'>): Ref[] {
    const counts = new Map<string, number>();
    return el.children.map((child) => {
      const n = (counts.get(child.cls) ?? 0) + 1;
      counts.set(child.cls, n);
      const step: Step =
        child.name !== undefined
          ? { cls: child.cls, by: 'name', key: child.name }
          : { cls: child.cls, by: 'index', key: n };
      return { type: 'ref', steps: [...ref.steps, step] };
    });
  }

  private root(): UiElement {
    return {
      cls: 'application',
      children: guiProcesses(this.env.machine).map((p) => ({
        cls: 'application process',
        name: p.name,
        children: p.windows,
      })),
    };
  }

  private element(ref: Ref): UiElement {
    return this.walk(ref).found;
  }

  /** A reference as System Events hands it back: resolved, by name where the element has one. */
  private canonical(ref: Ref): Ref {
    if (ref.steps.length === 0) return ref;
    const { found, siblings } = this.walk(ref);
    const parent: Ref = { type: 'ref', steps: ref.steps.slice(0, -1) };
    return this.childRefs(parent, { children: siblings })[siblings.indexOf(found)] ?? ref;
  }

  /** Values kept in variables and results: references canonical, lists element by element. */
  private async settle(v: Value): Promise<Value> {
    if (isRef(v)) return this.canonical(v);
    if (Array.isArray(v)) return Promise.all(v.map((x) => this.settle(x)));
    return v;
  }

  private async eval(e: Expr): Promise<Value> {
    switch (e.k) {
      case 'lit':
        return e.v;
      case 'var': {
        if (this.vars.has(e.name)) return this.vars.get(e.name)!;
        throw new ScriptError(-2753, `The variable ${e.name} is not defined.`);
      }
      case 'list':
        return Promise.all(e.items.map((x) => this.eval(x)));
      case 'not':
        return !this.truth(await this.eval(e.a));
      case 'exists': {
        const v = await this.eval(e.a);
        if (!isRef(v)) return v !== null;
        try {
          this.resolve(v);
          return true;
        } catch (error) {
          if (error instanceof ScriptError) return false;
          throw error;
        }
      }
      case 'running': {
        const app = await this.eval(e.a);
        if (!isApp(app)) throw new ScriptError(-1728, `Can’t get running of ${display(app)}.`);
        return this.running(app) !== e.negate;
      }
      case 'app':
        return { type: 'app', by: e.by, key: String(await this.eval(e.key)) };
      case 'class':
        return { type: 'class', cls: canonicalClass(e.cls) };
      case 'bin':
        return this.binary(e);
      case 'item': {
        const list = await this.eval(e.of);
        const index = Number(await this.eval(e.index));
        const items = Array.isArray(list) ? list : [];
        const item = items.at(index > 0 ? index - 1 : index);
        if (item === undefined) throw new ScriptError(-1728, `Can’t get item ${index} of ${display(list)}.`);
        return item;
      }
      case 'attr': {
        const of = e.of ? await this.eval(e.of) : this.container();
        if (!isRef(of)) throw new ScriptError(-1728, `Can’t get attribute of ${display(of ?? null)}.`);
        return { type: 'attr', name: String(await this.eval(e.name)), of };
      }
      case 'prop':
        return this.property(e.name, await this.eval(e.of));
      case 'spec':
        return this.specifier(e);
    }
  }

  private async binary(e: Extract<Expr, { k: 'bin' }>): Promise<Value> {
    if (e.op === 'and') return this.truth(await this.eval(e.a)) && this.truth(await this.eval(e.b));
    if (e.op === 'or') return this.truth(await this.eval(e.a)) || this.truth(await this.eval(e.b));
    const a = await this.eval(e.a);
    const b = await this.eval(e.b);
    switch (e.op) {
      case '&':
        if (Array.isArray(a)) return [...a, ...(Array.isArray(b) ? b : [b])];
        return display(a) + display(b);
      case '=':
        return equal(a, b);
      case '!=':
        return !equal(a, b);
      case 'contains':
        if (Array.isArray(a)) return a.some((x) => equal(x, b));
        return typeof a === 'string' && a.toLowerCase().includes(display(b).toLowerCase());
      case 'in':
        if (Array.isArray(b)) return b.some((x) => equal(x, a));
        return typeof b === 'string' && b.toLowerCase().includes(display(a).toLowerCase());
      default: {
        const [x, y] = [Number(a), Number(b)];
        return e.op === '<' ? x < y : e.op === '>' ? x > y : e.op === '<=' ? x <= y : x >= y;
      }
    }
  }

  private property(name: string, of: Value): Value {
    if (name === 'quoted form') return `'${display(of).replaceAll("'", "'\\''")}'`;
    if (name === 'contents') return of;
    if (typeof of === 'object' && of !== null && !Array.isArray(of) && of.type === 'attr') {
      if (name !== 'value') throw new ScriptError(-1728, `Can’t get ${name} of ${display(of)}.`);
      if (of.name === 'AXParent') {
        if (of.of.steps.length <= 1) return null;
        this.resolve(of.of);
        return this.canonical({ type: 'ref', steps: of.of.steps.slice(0, -1) });
      }
      const el = this.resolve(of.of);
      const attrs: Record<string, Value | undefined> = {
        AXTitle: el.name ?? null,
        AXValue: el.value ?? null,
        AXDescription: el.description ?? null,
      };
      if (!(of.name in attrs))
        throw new ScriptError(
          -1728,
          `System Events got an error: Can’t get attribute "${of.name}" of ${sourceForm(of.of)}.`,
        );
      return attrs[of.name] ?? null;
    }
    if (!isRef(of)) throw new ScriptError(-1728, `Can’t get ${name} of ${display(of)}.`);
    const el = this.element(of);
    switch (name) {
      case 'class':
        return { type: 'class', cls: el.cls };
      case 'name':
      case 'title':
        return el.name ?? null;
      case 'value':
        return el.value ?? null;
      case 'description':
        return el.description ?? null;
      case 'windows':
        return this.childRefs(of, el).filter((r) => r.steps.at(-1)!.cls === 'window');
      case 'entire contents': {
        const out: Ref[] = [];
        const walk = (ref: Ref, node: UiElement) => {
          this.childRefs(ref, node).forEach((child, k) => {
            out.push(child);
            walk(child, node.children[k]!);
          });
        };
        walk(this.canonical(of), el);
        return out;
      }
      default:
        throw new ScriptError(-1728, `Can’t get ${name} of ${display(of)}.`);
    }
  }

  private async specifier(e: Extract<Expr, { k: 'spec' }>): Promise<Value> {
    const cls = canonicalClass(e.cls);
    let container: Ref | undefined;
    if (cls === 'application process') container = { type: 'ref', steps: [] };
    else if (e.of) {
      const of = await this.eval(e.of);
      if (isApp(of) && of.key === SYSTEM_EVENTS.key) container = { type: 'ref', steps: [] };
      else if (isRef(of)) container = of;
      else throw new ScriptError(-1728, `Can’t get ${cls} of ${display(of)}.`);
    } else container = this.container();
    if (!container)
      throw new ScriptError(
        -1728,
        `Can’t get ${cls} ${e.key ? display(await this.eval(e.key)) : ''}.`.replace(' .', '.'),
      );
    if (e.by === 'index' || e.by === 'name' || e.by === 'sel') {
      const key = await this.eval(e.key!);
      const by = typeof key === 'number' ? 'index' : 'name';
      return {
        type: 'ref',
        steps: [...container.steps, { cls, by, key: typeof key === 'number' ? key : display(key) }],
      };
    }
    const parent = this.element(container);
    const refs = this.childRefs(container, parent).filter(
      (_r, k) => cls === 'ui element' || parent.children[k]!.cls === cls,
    );
    if (e.by === 'every') return refs;
    const pick = e.by === 'first' ? refs[0] : refs.at(-1);
    if (!pick)
      throw uiError(
        { type: 'ref', steps: [...container.steps, { cls, by: 'index', key: e.by === 'first' ? 1 : -1 }] },
        true,
      );
    return pick;
  }
}

function equal(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, k) => equal(x, b[k]!))
    );
  }
  if (a.type === 'class' && b.type === 'class') return a.cls === b.cls;
  if (a.type === 'ref' && b.type === 'ref') return display(a) === display(b);
  if (a.type === 'app' && b.type === 'app') return a.by === b.by && a.key === b.key;
  return false;
}
