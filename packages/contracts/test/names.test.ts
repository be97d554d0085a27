import t from 'tap'
import { Value } from 'typebox/value'
import { CreateProductBody, RegisterBody } from '../src/index.ts'

// Issue 15 item 9: names are visible text, without control or bidi-override characters.
const register = (name: string) => ({ name, email: 'ada@example.com', password: 'a fine passphrase' })
const product = (name: string) => ({ name, price_cents: 100, stock: 1 })

t.test('ordinary names in any script pass', async (t) => {
  for (const name of [
    'Ada',
    'Ada Lovelace',
    'José Müller',
    '李小龙',
    'محمد',
    "O'Brien-Smith",
    'é',
    '👩‍💻 dev',
  ]) {
    t.ok(Value.Check(RegisterBody, register(name)), name)
    t.ok(Value.Check(CreateProductBody, product(name)), name)
  }
})

t.test('control, bidi-override and invisible-only names are refused', async (t) => {
  const refused = {
    nul: 'Ada\u0000',
    newline: 'Ada\nLovelace',
    tab: '\tAda',
    del: 'Ada\u007f',
    c1: 'Ada\u0085',
    'right-to-left override': 'Bob\u202Egpj.exe',
    'left-to-right embedding': '\u202AAda',
    isolate: 'Ada\u2066x\u2069',
    'rtl mark': 'Ada\u200F',
    'line separator': 'Ada\u2028',
    'zero-width only': '\u200B\u200C\u200D',
    'word joiner and BOM only': '\u2060\uFEFF',
    'blanks only': '   ',
    'ideographic space only': '\u3000',
  }
  for (const [what, name] of Object.entries(refused)) {
    t.notOk(Value.Check(RegisterBody, register(name)), `user name: ${what}`)
    t.notOk(Value.Check(CreateProductBody, product(name)), `product name: ${what}`)
  }
})
