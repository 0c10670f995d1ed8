// Bottleneck's light build, which Octokit's throttling plugin uses, is typed only through its full build.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}
