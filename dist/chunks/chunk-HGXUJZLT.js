import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);
import{n as t,o as e,s as m,w as o}from"./chunk-FX4BGVWR.js";var r=class extends t(e,m,"PutObject",o){};export{r as a};
