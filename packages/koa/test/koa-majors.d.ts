// The two Koa majors the tests run against, installed under aliases. Koa ships
// no types; both get @types/koa's, which is all the tests need from them.
declare module 'koa-v2' {
  import Koa = require('koa');
  export = Koa;
}
declare module 'koa-v3' {
  import Koa = require('koa');
  export = Koa;
}
