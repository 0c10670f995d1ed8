import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);
var r=class extends Error{stackName;status;rootCause;constructor(s,t,a,i){super(s),this.stackName=t,this.status=a,this.rootCause=i,this.name="StackFailure"}},e=class extends Error{priority;constructor(s,t){super(t),this.priority=s,this.name="RulePriorityTaken"}};export{r as a,e as b};
