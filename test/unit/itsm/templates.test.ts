import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AppError, isAppError } from '../../../src/errors.js';
import {
  loadTemplates,
  nextMissingField,
  parseFieldAnswer,
  parseTemplate,
  type Template,
  type TemplateField,
  validateSubmission,
} from '../../../src/itsm/templates.js';

const template: Template = parseTemplate({
  id: 'test-form',
  kind: 'service_request',
  title: 'Test form',
  category: 'testing',
  fields: [
    { id: 'name', label: 'Name', type: 'text', required: true, maxLength: 10 },
    { id: 'notes', label: 'Notes', type: 'textarea' },
    { id: 'count', label: 'Count', type: 'number', min: 1, max: 3 },
    {
      id: 'app',
      label: 'Application',
      type: 'select',
      required: true,
      options: ['Jira', 'GitHub', 'Adobe CC'],
    },
    {
      id: 'extras',
      label: 'Extras',
      type: 'multiselect',
      options: ['Monitor', 'Keyboard and mouse', 'Dock'],
      max: 2,
    },
    { id: 'start', label: 'Start date', type: 'date' },
    { id: 'manager', label: 'Manager email', type: 'email' },
    { id: 'for_user', label: 'For whom', type: 'user' },
    { id: 'urgent', label: 'Urgent', type: 'boolean', required: true },
  ],
});
const field = (id: string): TemplateField => {
  const f = template.fields.find((x) => x.id === id);
  if (!f) throw new Error(id);
  return f;
};

function catchApp(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    if (isAppError(e)) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

describe('template schema', () => {
  it('applies defaults: required false, maxLength 500 text / 4000 textarea', () => {
    expect(field('notes')).toMatchObject({ required: false, maxLength: 4000 });
    expect(field('name').maxLength).toBe(10);
    expect(
      parseTemplate({
        id: 'a',
        kind: 'incident',
        title: 'A',
        category: 'c',
        fields: [{ id: 'x', label: 'X', type: 'text' }],
      }).fields[0]?.maxLength,
    ).toBe(500);
  });

  it('requires options for select fields and names file and field path', () => {
    const e = catchApp(() =>
      parseTemplate(
        {
          id: 'laptop',
          kind: 'service_request',
          title: 'Laptop',
          category: 'hardware',
          fields: [
            { id: 'a', label: 'A', type: 'text' },
            { id: 'b', label: 'B', type: 'text' },
            { id: 'model', label: 'Model', type: 'select' },
          ],
        },
        'data/templates/laptop.json',
      ),
    );
    expect(e.code).toBe('data_invalid');
    expect(e.message).toBe('data/templates/laptop.json: fields.2.options: required for a select field');
    expect(e.field).toBe('fields.2.options');
  });

  it.each([
    [{ id: 'Bad_Id' }, 'id: expected a kebab-case id'],
    [{ kind: 'problem' }, 'kind:'],
    [{ fields: [{ id: 'x', label: 'X', type: 'colour' }] }, 'fields.0.type:'],
    [
      {
        fields: [
          { id: 'x', label: 'X', type: 'text' },
          { id: 'x', label: 'Y', type: 'text' },
        ],
      },
      'fields.1.id: duplicate field id "x"',
    ],
    [
      { fields: [{ id: 'x', label: 'X', type: 'text', options: ['a'] }] },
      'fields.0.options: only select and multiselect',
    ],
    [
      { fields: [{ id: 'x', label: 'X', type: 'select', options: ['a', 'A'] }] },
      'fields.0.options: option "a" appears twice',
    ],
    [
      { fields: [{ id: 'x', label: 'X', type: 'number', min: 5, max: 1 }] },
      'fields.0.max: must be at least min',
    ],
    [{ fields: [{ id: 'x', label: 'X', type: 'text', secret: true }] }, 'fields.0:'],
    [{ approval: { type: 'users' } }, 'approval.users: required when approval type is users'],
    [{ approval: { type: 'group' } }, 'approval.group: required when approval type is group'],
  ])('rejects %j', (patch, message) => {
    const e = catchApp(() =>
      parseTemplate(
        { id: 'x', kind: 'service_request', title: 'X', category: 'c', fields: [], ...patch },
        'f.json',
      ),
    );
    expect(e.message).toContain(`f.json: ${message}`);
  });
});

describe('loadTemplates', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const minimal = (id: string): string =>
    JSON.stringify({ id, kind: 'incident', title: id, category: 'c', fields: [] });

  it('loads the shipped templates', async () => {
    const all = await loadTemplates(join(process.cwd(), 'data/templates'));
    expect(all.map((t) => t.id)).toEqual(['change-request', 'laptop-request', 'new-hire', 'software-access']);
    const access = all.find((t) => t.id === 'software-access');
    const app = access?.fields.find((f) => f.id === 'application');
    expect(app?.options).toEqual(
      expect.arrayContaining(['Jira', 'Salesforce', 'GitHub', 'Figma', 'Adobe CC']),
    );
    expect(access?.approval).toEqual({ type: 'manager' });
    const hire = all.find((t) => t.id === 'new-hire');
    expect(hire?.fields.map((f) => f.type)).toEqual(
      expect.arrayContaining(['date', 'email', 'select', 'multiselect']),
    );
  });

  it('names the bad file and the field', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tpl-'));
    await writeFile(join(dir, 'a.json'), minimal('a'));
    await writeFile(
      join(dir, 'laptop.json'),
      JSON.stringify({
        id: 'laptop',
        kind: 'service_request',
        title: 'L',
        category: 'c',
        fields: [{ id: 'm', label: 'M', type: 'multiselect' }],
      }),
    );
    await expect(loadTemplates(dir)).rejects.toThrow(
      `${join(dir, 'laptop.json')}: fields.0.options: required for a multiselect field`,
    );
  });

  it('reports invalid JSON with the file name', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tpl-'));
    await writeFile(join(dir, 'broken.json'), '{ "id": ');
    await expect(loadTemplates(dir)).rejects.toThrow(`${join(dir, 'broken.json')}: not valid JSON`);
  });

  it('rejects duplicate ids naming both files', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tpl-'));
    await writeFile(join(dir, 'one.json'), minimal('same'));
    await writeFile(join(dir, 'two.json'), minimal('same'));
    await writeFile(join(dir, 'readme.txt'), 'ignored');
    const err = await loadTemplates(dir).catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('data_invalid');
    expect((err as Error).message).toBe(
      `${join(dir, 'two.json')}: id: "same" is already used by ${join(dir, 'one.json')}`,
    );
  });

  it('a missing directory is data_invalid', async () => {
    await expect(loadTemplates('/nonexistent/templates')).rejects.toThrow(
      '/nonexistent/templates: cannot list templates (ENOENT)',
    );
  });
});

describe('validateSubmission', () => {
  const good = { name: '  Ada  ', app: 'github', urgent: 'yes' };

  it('normalizes a good submission and leaves empty optional fields out', () => {
    const r = validateSubmission(template, {
      ...good,
      notes: '',
      count: '2',
      extras: ['dock', 'Monitor', 'Dock'],
      start: '2026-12-01',
      manager: ' boss@example.com ',
      for_user: 'U123',
    });
    expect(r).toEqual({
      ok: true,
      values: {
        name: 'Ada',
        app: 'GitHub',
        urgent: true,
        count: 2,
        extras: ['Dock', 'Monitor'],
        start: '2026-12-01',
        manager: 'boss@example.com',
        for_user: 'U123',
      },
    });
  });

  it('accepts a comma-separated multiselect string and real booleans/numbers', () => {
    const r = validateSubmission(template, {
      ...good,
      urgent: false,
      count: 3,
      extras: 'Monitor, keyboard and mouse',
    });
    expect(r.ok && r.values).toMatchObject({
      urgent: false,
      count: 3,
      extras: ['Monitor', 'Keyboard and mouse'],
    });
  });

  it('reports every error with its field', () => {
    const r = validateSubmission(template, {
      name: 'Much too long a name',
      count: '7',
      app: 'Notion',
      extras: ['Monitor', 'Dock', 'Keyboard and mouse'],
      start: '2026-02-30',
      manager: 'not-an-email',
      urgent: 'maybe',
      colour: 'red',
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      { field: 'colour', message: 'colour is not a field of Test form' },
      { field: 'name', message: 'Name is too long: at most 10 characters (got 20)' },
      { field: 'count', message: 'Count must be at most 3' },
      { field: 'app', message: 'Application must be one of: Jira, GitHub, Adobe CC (got "Notion")' },
      { field: 'extras', message: 'Extras: choose at most 2' },
      { field: 'start', message: 'Start date must be a date written yyyy-mm-dd' },
      { field: 'manager', message: 'Manager email must be an email address like name@example.com' },
      { field: 'urgent', message: 'Urgent must be yes or no' },
    ]);
  });

  it.each<[string, unknown, string]>([
    ['name', '   ', 'Name is required'],
    ['count', 'two', 'Count must be a number'],
    ['count', '0', 'Count must be at least 1'],
    ['count', '1e400', 'Count must be a number'],
    ['extras', ['Monitor', 'Chair'], 'Extras: "Chair" is not one of: Monitor, Keyboard and mouse, Dock'],
    ['extras', 42, 'Extras must be a list of: Monitor, Keyboard and mouse, Dock'],
    ['start', '01/12/2026', 'Start date must be a date written yyyy-mm-dd'],
    ['notes', { a: 1 }, 'Notes must be text'],
    ['notes', 'x'.repeat(4001), 'Notes is too long: at most 4000 characters (got 4001)'],
    ['app', 3, 'Application must be one of: Jira, GitHub, Adobe CC'],
  ])('%s = %j → %s', (id, value, message) => {
    const r = validateSubmission(template, { ...good, [id]: value });
    expect(r.ok ? [] : r.errors).toEqual([{ field: id, message }]);
  });

  it('required fields missing are all named', () => {
    const r = validateSubmission(template, {});
    expect(r.ok ? [] : r.errors.map((e) => e.field)).toEqual(['name', 'app', 'urgent']);
  });
});

describe('slot filling', () => {
  it('nextMissingField asks required fields in order, then optional ones if asked', () => {
    expect(nextMissingField(template, {})?.id).toBe('name');
    expect(nextMissingField(template, { name: 'Ada' })?.id).toBe('app');
    expect(nextMissingField(template, { name: 'Ada', app: 'Jira', urgent: false })).toBeNull();
    expect(
      nextMissingField(template, { name: 'Ada', app: 'Jira', urgent: false }, { includeOptional: true })?.id,
    ).toBe('notes');
    expect(nextMissingField(template, { name: 'Ada', notes: null }, { includeOptional: true })?.id).toBe(
      'count',
    );
    expect(nextMissingField(template, { name: '' })?.id).toBe('name');
  });

  it('select: option text case-insensitively or its 1-based number', () => {
    expect(parseFieldAnswer(field('app'), 'adobe cc')).toEqual({ ok: true, value: 'Adobe CC' });
    expect(parseFieldAnswer(field('app'), '2')).toEqual({ ok: true, value: 'GitHub' });
    expect(parseFieldAnswer(field('app'), '#1')).toEqual({ ok: true, value: 'Jira' });
    expect(parseFieldAnswer(field('app'), '9')).toEqual({
      ok: false,
      message: 'Application must be one of: Jira, GitHub, Adobe CC (got "9")',
    });
  });

  it('multiselect: lists by comma, "and", numbers; options containing "and" survive', () => {
    expect(parseFieldAnswer(field('extras'), 'monitor and dock')).toEqual({
      ok: true,
      value: ['Monitor', 'Dock'],
    });
    expect(parseFieldAnswer(field('extras'), '1, 3')).toEqual({ ok: true, value: ['Monitor', 'Dock'] });
    expect(parseFieldAnswer(field('extras'), 'Keyboard and mouse')).toEqual({
      ok: true,
      value: ['Keyboard and mouse'],
    });
    expect(parseFieldAnswer(field('extras'), 'dock, keyboard and mouse')).toEqual({
      ok: true,
      value: ['Dock', 'Keyboard and mouse'],
    });
  });

  it('boolean: yes/no words', () => {
    for (const yes of ['yes', 'Y', 'yep', 'true'])
      expect(parseFieldAnswer(field('urgent'), yes)).toEqual({ ok: true, value: true });
    for (const no of ['no', 'N', 'nope'])
      expect(parseFieldAnswer(field('urgent'), no)).toEqual({ ok: true, value: false });
    expect(parseFieldAnswer(field('urgent'), 'perhaps').ok).toBe(false);
  });

  it('number, date and email answers', () => {
    expect(parseFieldAnswer(field('count'), ' 2 ')).toEqual({ ok: true, value: 2 });
    expect(parseFieldAnswer(field('start'), '2026-12-01')).toEqual({ ok: true, value: '2026-12-01' });
    expect(parseFieldAnswer(field('start'), 'tomorrow', { now: '2026-11-24T23:30:00Z' })).toEqual({
      ok: true,
      value: '2026-11-25',
    });
    expect(parseFieldAnswer(field('start'), 'today', { now: new Date('2026-11-24T10:00:00Z') })).toEqual({
      ok: true,
      value: '2026-11-24',
    });
    expect(parseFieldAnswer(field('start'), 'tomorrow').ok).toBe(false);
    expect(parseFieldAnswer(field('manager'), 'a@b.co')).toEqual({ ok: true, value: 'a@b.co' });
  });

  it('skip works only for optional fields', () => {
    expect(parseFieldAnswer(field('notes'), 'skip')).toEqual({ ok: true, value: null });
    expect(parseFieldAnswer(field('name'), '')).toEqual({ ok: false, message: 'Name is required' });
    expect(parseFieldAnswer(field('name'), 'none')).toEqual({ ok: true, value: 'none' });
  });
});

describe('shipped new-hire template', () => {
  it('accepts a realistic submission and normalizes it', async () => {
    const all = await loadTemplates(join(process.cwd(), 'data/templates'));
    const hire = all.find((t) => t.id === 'new-hire');
    if (!hire) throw new Error('new-hire missing');
    const r = validateSubmission(hire, {
      full_name: 'Grace Hopper',
      job_title: 'Engineer',
      start_date: '2027-01-04',
      manager_email: 'ada@example.com',
      department: 'engineering',
      location: 'hybrid',
      equipment: ['laptop', 'Monitor', 'keyboard and mouse'],
      contractor: 'no',
    });
    expect(r).toEqual({
      ok: true,
      values: {
        full_name: 'Grace Hopper',
        job_title: 'Engineer',
        start_date: '2027-01-04',
        manager_email: 'ada@example.com',
        department: 'Engineering',
        location: 'Hybrid',
        equipment: ['Laptop', 'Monitor', 'Keyboard and mouse'],
        contractor: false,
      },
    });
    const equipment = hire.fields.find((f) => f.id === 'equipment');
    if (!equipment) throw new Error('equipment missing');
    expect(parseFieldAnswer(equipment, 'laptop, monitor and headset')).toEqual({
      ok: true,
      value: ['Laptop', 'Monitor', 'Headset'],
    });
  });
});
